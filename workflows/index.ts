export { creditCheck } from './credit-check.js';
export { runJob } from './run-job.js';
export { sweeper } from './sweeper.js';
