import { errorWithCode } from '../errors/drover-error.js';

/**
 * A request the Batch API refuses. The server answers it like AWS does (HTTP 400,
 * `x-amzn-errortype: ClientException`), so the SDK throws a `ClientException` with this message.
 */
export class BatchClientError extends errorWithCode('BatchClientError', 'BATCH_CLIENT_EXCEPTION') {}

/** Options given to the executor that it cannot run with. */
export class BatchOptionsError extends errorWithCode('BatchOptionsError', 'BATCH_OPTIONS') {}
