import { DroverError } from '../errors/drover-error.js';

export type BenchErrorCode = 'BENCH_BAD_OPTIONS' | 'BENCH_RUN_FAILED' | 'BENCH_BASELINE_FAILED' | 'BENCH_TIMEOUT';

/** Why a benchmark could not produce its figures. */
export class BenchError extends DroverError<BenchErrorCode> {
  override readonly name = 'BenchError';
}
