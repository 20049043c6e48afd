export { startBatchExecutor, type BatchExecutor, type BatchExecutorOptions } from './executor.js';
export { BatchClientError, BatchOptionsError } from './errors.js';
export type { JobStatus } from './types.js';
