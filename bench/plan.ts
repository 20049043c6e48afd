import { BenchError } from './errors.js';

/**
 * Most sockets one array child keeps open. Measured at 20,000, latency 50, C 100: 4 children × 25
 * took 25.4 s (children 21.7 CPU-s), 2 × 50 took 24.3 s (17.2 CPU-s): on 2 cores, fewer and busier is cheaper.
 */
export const MAX_PER_CHILD = 50;
/** DROVER_RECORDS_PER_CHILD's upper bound (config/settings.ts). */
export const MAX_RECORDS_PER_CHILD = 10_000;

export interface ConcurrencyPlan {
  /** DROVER_BATCH_VCPUS: children the executor runs at once. */
  children: number;
  /** TAX_SOURCE_CHILD_CONCURRENCY: most requests one child keeps in flight (the whole C: the budget splits it fairly). */
  perChild: number;
  /** DROVER_RECORDS_PER_CHILD. */
  recordsPerChild: number;
  /** DROVER_MAX_ARRAY_JOBS: enough array jobs queued that a finished child is replaced at once. */
  maxArrayJobs: number;
}

/**
 * Runs a total concurrency C on as few Batch children as MAX_PER_CHILD allows (each is a Node
 * process on a 2-core machine). Each child may take all of C: the shared source budget
 * (TAX_SOURCE_MAX_CONCURRENCY = C) holds the total to C and gives each child its fair share
 * while several want slots, so a child that starts first or ends last uses the slots the
 * others leave. The default records per child keep every wave of children full and every
 * child equally long (see evenShare).
 */
export function planConcurrency(records: number, concurrency: number, recordsPerChild?: number): ConcurrencyPlan {
  if (!Number.isInteger(records) || records < 1) throw new BenchError(`records must be a whole number of at least 1, got ${records}`, 'BENCH_BAD_OPTIONS');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new BenchError(`concurrency must be a whole number of at least 1, got ${concurrency}`, 'BENCH_BAD_OPTIONS');
  const children = Math.ceil(concurrency / MAX_PER_CHILD);
  const k = recordsPerChild ?? evenShare(records, children);
  if (!Number.isInteger(k) || k < 1 || k > MAX_RECORDS_PER_CHILD) {
    throw new BenchError(`records per child must be a whole number from 1 to ${MAX_RECORDS_PER_CHILD}, got ${k}`, 'BENCH_BAD_OPTIONS');
  }
  return { children, perChild: concurrency, recordsPerChild: k, maxArrayJobs: Math.max(4, 2 * children) };
}

/**
 * Records per child so that the children run in as few full waves as the 10,000 bound
 * allows, rounded down to a divisor of the 10,000-record chunk: a chunk then splits into
 * equal slices, with no short child left over at each chunk's end.
 */
export function evenShare(records: number, children: number): number {
  const waves = Math.ceil(records / (children * MAX_RECORDS_PER_CHILD));
  const target = Math.max(1, Math.ceil(records / (children * waves)));
  let best = 1;
  for (let k = 1; k <= MAX_RECORDS_PER_CHILD; k++) if (MAX_RECORDS_PER_CHILD % k === 0 && k <= target) best = k;
  return best;
}
