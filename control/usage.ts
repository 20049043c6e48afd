/**
 * What processes cost, as people read it: a process with the estimated cost of it and of each
 * of its tasks, and the sums over a range of days by job, day or who started them. The ledger
 * keeps seconds only; the prices come from the configuration of the front end that asks.
 */
import { pricedUsage, type PricedUsage, type UsagePrices } from '../catalog/usage-price.js';
import { errorWithCode } from '../errors/drover-error.js';
import type { Ledger } from '../ledger/connect.js';
import type { ProcessView, TaskView } from '../ledger/process-store.js';
import { roundUsage } from '../ledger/round-usage.js';
import { sumUsage, type UsageGroupBy } from '../ledger/usage-queries.js';

export class UsageRangeError extends errorWithCode('UsageRangeError', 'USAGE_RANGE_INVALID') {}

export type PricedTask = Omit<TaskView, 'usage'> & { usage: PricedUsage };
export type PricedProcess = Omit<ProcessView, 'usage' | 'tasks'> & { usage: PricedUsage; tasks?: PricedTask[] };

/** A process as `process show` and the API give it: its usage and each task's with their estimated cost. */
export function pricedProcess(view: ProcessView, prices: UsagePrices): PricedProcess {
  const { tasks, ...rest } = view;
  return {
    ...rest,
    usage: pricedUsage(view.usage, prices),
    ...(tasks ? { tasks: tasks.map((t) => ({ ...t, usage: pricedUsage(t.usage, prices) })) } : {}),
  };
}

export const DEFAULT_USAGE_DAYS = 30;
/** The longest range summed at once: a year and a month, so a year over month ends fits; longer asks are split by the caller. */
export const MAX_USAGE_DAYS = 400;
const DAY_MS = 86_400_000;

export interface UsageQuery {
  /** Default: `to` less 30 days. */
  from?: Date;
  /** Default: now. */
  to?: Date;
  groupBy: UsageGroupBy;
  jobId?: string;
}

export interface UsageReportRow extends PricedUsage {
  key: string;
  processes: number;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  prices: UsagePrices;
  rows: UsageReportRow[];
  total: PricedUsage & { processes: number };
}

/**
 * The usage of the processes created in [from, to), summed by `groupBy`, with the estimated
 * cost of each row and of the total. A range that is empty, backwards or longer than
 * MAX_USAGE_DAYS is refused.
 */
export async function usageReport(deps: { db: Ledger; prices: UsagePrices }, query: UsageQuery, now: Date = new Date()): Promise<UsageReport> {
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - DEFAULT_USAGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw new UsageRangeError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS) throw new UsageRangeError(`from ${from.toISOString()} to ${to.toISOString()} is longer than ${MAX_USAGE_DAYS} days: ask for shorter ranges`);
  const sums = await sumUsage(deps.db, { from, to, groupBy: query.groupBy, ...(query.jobId !== undefined ? { jobId: query.jobId } : {}) });
  const rows = sums.map((r) => ({ key: r.key, processes: r.processes, ...pricedUsage(r, deps.prices) }));
  const seconds = {
    vcpuSeconds: roundUsage(rows.reduce((s, r) => s + r.vcpuSeconds, 0)),
    gibSeconds: roundUsage(rows.reduce((s, r) => s + r.gibSeconds, 0)),
  };
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy: query.groupBy,
    prices: { vcpuHour: deps.prices.vcpuHour, gibHour: deps.prices.gibHour },
    rows,
    total: { processes: rows.reduce((n, r) => n + r.processes, 0), ...pricedUsage(seconds, deps.prices) },
  };
}

const DATE_OR_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `2026-03-01` (its start, in UTC) or an ISO date-time with its offset. Refused: a day its month
 * never has, an hour past 23, a leap second: JavaScript would roll them into the next day.
 */
export function usageTime(name: string, text: string): Date {
  const m = DATE_OR_TIME.exec(text);
  const refuse = () => new UsageRangeError(`${name} ${JSON.stringify(text)} is not a date (2026-03-01) or a date-time (2026-03-01T00:00:00Z)`);
  if (!m) throw refuse();
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offset = m[7];
  const offsetOk = !offset || offset === 'Z' || (Number(offset.slice(1, 3)) < 24 && Number(offset.slice(4, 6)) < 60);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || !offsetOk) throw refuse();
  const at = new Date(m[4] === undefined ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime())) throw refuse();
  return at;
}
