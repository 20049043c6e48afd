/**
 * What processes used, summed by job, by day or by who started them. The sums read the daily
 * rollup of the processes' usage (migrations/0007-usage-days.ts) and, for the parts of a day at
 * the range's ends, the process rows, which keep their tasks' usage (migrations/0005-process-usage.ts):
 * a year of processes is summed without touching its tasks.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Ledger } from './connect.js';
import { roundUsage } from './round-usage.js';

export type UsageGroupBy = 'job' | 'day' | 'triggeredBy';

/** Processes created in [from, to): a process counts wholly on the day it was created, whenever its tasks ran. */
export interface UsageFilter {
  from: Date;
  to: Date;
  groupBy: UsageGroupBy;
  jobId?: string;
}

export interface UsageRow {
  /** The job id, the UTC date `YYYY-MM-DD` the processes were created, or `triggeredBy`. */
  key: string;
  processes: number;
  vcpuSeconds: number;
  gibSeconds: number;
}

const DAY_MS = 86_400_000;

/**
 * Each grouping's column in usage_days and its value on a process. A day is grouped as a date and
 * formatted once a group: formatting each row of a day's processes took longer than summing them.
 */
const GROUPS: Record<UsageGroupBy, { rollup: RawBuilder<string>; process: RawBuilder<string> }> = {
  job: { rollup: sql`job_id`, process: sql`job_id` },
  day: { rollup: sql`day`, process: sql`(created_at at time zone 'UTC')::date` },
  triggeredBy: { rollup: sql`triggered_by`, process: sql`triggered_by` },
};

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * One row a key, ordered by key; keys with no process in the range have no row. The whole UTC
 * days of the range come from the daily rollup (migrations/0007-usage-days.ts), a few hundred
 * rows a day; the parts of a day at either end, when `from` or `to` is not a UTC midnight, from
 * the processes created in them, as a range of processes_created.
 */
export async function sumUsage(db: Ledger, filter: UsageFilter): Promise<UsageRow[]> {
  const { rollup, process } = GROUPS[filter.groupBy];
  const from = filter.from.getTime();
  const to = filter.to.getTime();
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const endDay = Math.floor(to / DAY_MS) * DAY_MS;
  const job = (column: RawBuilder<string>) => (filter.jobId === undefined ? sql`` : sql` and ${column} = ${filter.jobId}`);
  const fromProcesses = (start: number, end: number) => sql`
    select ${process} as g, count(*) as processes, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds
    from processes where created_at >= ${new Date(start)} and created_at < ${new Date(end)}${job(sql`job_id`)} group by 1`;
  const parts: RawBuilder<unknown>[] = [];
  if (firstDay < endDay) {
    parts.push(sql`
      select ${rollup} as g, sum(processes) as processes, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds
      from usage_days where day >= ${isoDay(firstDay)}::date and day < ${isoDay(endDay)}::date${job(sql`job_id`)} group by 1`);
    if (from < firstDay) parts.push(fromProcesses(from, firstDay));
    if (endDay < to) parts.push(fromProcesses(endDay, to));
  } else {
    parts.push(fromProcesses(from, to));
  }
  const key = filter.groupBy === 'day' ? sql<string>`to_char(g, 'YYYY-MM-DD')` : sql<string>`g`;
  // Byte order, whatever the database's collation: the same order everywhere.
  const { rows } = await sql<{ key: string; processes: string; vcpu_seconds: number; gib_seconds: number }>`
    select ${key} as key, sum(processes) as processes, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds
    from (${sql.join(parts, sql` union all `)}) parts
    group by g having sum(processes) > 0 order by ${key} collate "C"`.execute(db);
  return rows.map((r) => ({ key: r.key, processes: Number(r.processes), vcpuSeconds: roundUsage(Number(r.vcpu_seconds)), gibSeconds: roundUsage(Number(r.gib_seconds)) }));
}
