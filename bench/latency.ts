/** Latency figures of a set of timings: nearest-rank percentiles, in milliseconds to the hundredth. */
export interface Latency {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const hundredths = (ms: number) => Math.round(ms * 100) / 100;

export function latencyOf(timingsMs: readonly number[]): Latency {
  const sorted = [...timingsMs].sort((a, b) => a - b);
  const at = (q: number) => hundredths(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0);
  return { samples: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: hundredths(sorted.at(-1) ?? 0) };
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
