/** Latency figures of a set of timings: nearest-rank percentiles (percentiles.ts), in milliseconds to the hundredth. */
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

/** A small seeded generator (mulberry32), so two runs ask the same questions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
