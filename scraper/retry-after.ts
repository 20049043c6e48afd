/**
 * Reads a `Retry-After` header (whole seconds or an HTTP date) into ms from `nowMs`.
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const header = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!header) return undefined;
  if (/^\d+$/.test(header)) return Number(header) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would take '-5' or '1.5'.
  if (!/^[a-z]{3}/i.test(header)) return undefined;
  const at = Date.parse(header);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
