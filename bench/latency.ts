/** Latency figures of a set of timings: nearest-rank percentiles (percentiles.ts), in milliseconds to the hundredth. */
import { mulberry32, unit } from '../portal/hash.js';
import { spread } from './percentiles.js';

export interface Latency {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencyOf(timingsMs: readonly number[]): Latency {
  const { count, ...figures } = spread(timingsMs, 2);
  return { samples: count, ...figures };
}

/** A small seeded generator (the portal's mulberry32, as a float in [0, 1)), so two runs ask the same questions. */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => unit(next());
}
