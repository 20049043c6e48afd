/**
 * How the worker process is started, everywhere it runs (the embedded stack, the image, the
 * CDK task). V8 grows its heap with the garbage a run makes, not only with what it keeps, so
 * without a limit the worker's memory grows with the size of the run; with one, V8 collects
 * sooner and the peak stays flat. What a run keeps live (the duplicate-id check, a page of
 * the report) is far below the limit even at 1,000,000 records.
 */
import { declaredValue } from '../config/settings.js';

/** DROVER_WORKER_HEAP_MB's default, for the places that cannot read the environment (image, CDK). */
export const DEFAULT_WORKER_HEAP_MB = Number(declaredValue('DROVER_WORKER_HEAP_MB'));

/** The flags node takes before the worker's script. */
export function workerNodeFlags(heapMb: number): string[] {
  return [`--max-old-space-size=${heapMb}`];
}

/** The worker's command line in the image, relative to its working directory. */
export function workerCommand(heapMb = DEFAULT_WORKER_HEAP_MB): string[] {
  return ['node', ...workerNodeFlags(heapMb), 'dist/workers/worker.js'];
}
