export type BenchErrorCode = 'BENCH_BAD_OPTIONS' | 'BENCH_RUN_FAILED' | 'BENCH_BASELINE_FAILED' | 'BENCH_TIMEOUT';

/** Why a benchmark could not produce its figures. */
export class BenchError extends Error {
  override readonly name = 'BenchError';
  constructor(
    message: string,
    readonly code: BenchErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
