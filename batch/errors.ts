/**
 * A request the Batch API refuses. The server answers it like AWS does (HTTP 400,
 * `x-amzn-errortype: ClientException`), so the SDK throws a `ClientException` with this message.
 */
export class BatchClientError extends Error {
  override readonly name = 'BatchClientError';
  readonly code = 'BATCH_CLIENT_EXCEPTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Options given to the executor that it cannot run with. */
export class BatchOptionsError extends Error {
  override readonly name = 'BatchOptionsError';
  readonly code = 'BATCH_OPTIONS_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
