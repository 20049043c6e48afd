/** Percentiles of a sample, nearest-rank: a figure the sample really holds, never an interpolation. */
export interface Spread {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** p50, p95, p99 and max of `values`, each rounded to `digits` decimals; zeros for an empty sample. */
export function spread(values: readonly number[], digits = 3): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => (Number.isNaN(n) ? 0 : Math.round(n * 10 ** digits) / 10 ** digits);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? Number.NaN) };
}
