/**
 * The placeholders a schedule's parameters may hold, filled from a run's nominal time (the
 * time the schedule meant it for, not when it started), so a backfilled or caught-up run
 * processes its own day. Pure and deterministic: the runJob workflow renders with it.
 *
 * - `{{scheduledTime}}`: the nominal time, ISO 8601 in UTC to the second (`2026-03-08T08:30:00Z`).
 * - `{{scheduledDate}}`: its calendar date in the schedule's time zone (`2026-03-08`).
 *
 * Placeholders are replaced inside any string value, nested objects and arrays included; keys
 * are left as they are.
 */

export const PLACEHOLDER_NAMES = ['scheduledTime', 'scheduledDate'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

/** `{{anything}}`: what looks like a placeholder, known or not (an unknown one is a typo to refuse). */
const TOKEN = /\{\{([^{}]*)\}\}/g;

export interface NominalTime {
  time: Date;
  /** An IANA time zone name: the schedule's. */
  timezone: string;
}

/** `2026-03-08T08:30:00Z`: UTC, to the second (a nominal time is whole seconds). */
export function isoSecondsUtc(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** The calendar date of `time` in `timezone`, YYYY-MM-DD. */
export function dateInZone(time: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(time);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function renderString(text: string, values: Record<PlaceholderName, string>): string {
  return text.replace(TOKEN, (whole, name: string) => (name === 'scheduledTime' || name === 'scheduledDate' ? values[name] : whole));
}

function walk(value: unknown, onString: (s: string) => string): unknown {
  if (typeof value === 'string') return onString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, onString));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, onString)]));
  return value;
}

/** The parameters with every known placeholder filled; unknown `{{...}}` are left as they are. */
export function renderPlaceholders(parameters: Record<string, unknown>, at: NominalTime): Record<string, unknown> {
  const values = { scheduledTime: isoSecondsUtc(at.time), scheduledDate: dateInZone(at.time, at.timezone) };
  return walk(parameters, (s) => renderString(s, values)) as Record<string, unknown>;
}

/** Every `{{...}}` in the parameters, with the JSON Pointer of the value it is in. */
export function placeholdersIn(parameters: Record<string, unknown>): Array<{ path: string; name: string; known: boolean }> {
  const found: Array<{ path: string; name: string; known: boolean }> = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(TOKEN)) found.push({ path, name: m[1]!, known: (PLACEHOLDER_NAMES as readonly string[]).includes(m[1]!) });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  };
  visit(parameters, '');
  return found;
}

export function hasPlaceholders(parameters: Record<string, unknown>): boolean {
  return placeholdersIn(parameters).some((p) => p.known);
}
