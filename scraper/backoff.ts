/**
 * Delay before retry `retryIndex` (0 for the first retry), with "full jitter": uniform in
 * [0, min(maxMs, baseMs * 2^retryIndex)). Spreading retries over the whole window keeps
 * many workers that failed together from coming back together.
 */
export function fullJitterDelay(retryIndex: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const window = Math.min(maxMs, baseMs * 2 ** retryIndex);
  return Math.floor(random() * window);
}
