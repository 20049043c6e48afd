/** The most intervals that overlap at any instant: peak processes RUNNING, from their start and end times. */
export function peakOverlap(intervals: ReadonlyArray<readonly [start: number, end: number]>): number {
  // Ends sort before starts at the same instant: a slot handed on is not two processes at once.
  const edges = intervals.flatMap(([start, end]) => [[start, 1] as const, [end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of edges) {
    now += step;
    peak = Math.max(peak, now);
  }
  return peak;
}
