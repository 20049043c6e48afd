import { ApplicationFailure } from '@temporalio/common';

/**
 * Errors that will never succeed on retry become non-retryable failures whose type is the
 * error's stable code (`SHEET_NOT_XLSX`, ...), so the workflow, the CLI and the failure
 * email can name the problem. Everything else is rethrown as is and retried.
 */
export function failPermanently(err: unknown, permanent: (err: unknown) => err is Error & { code: string }): never {
  if (permanent(err)) {
    throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true, cause: err });
  }
  throw err;
}
