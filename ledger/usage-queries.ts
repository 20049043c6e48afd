/**
 * What processes used, summed by job, by day or by who started them. The sums read only the
 * processes table, whose rows keep their tasks' usage (migrations/0005-process-usage.ts),
 * so a year of processes is summed without touching its tasks.
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

/**
 * Each grouping's key as grouped, and as printed. A day is grouped as a date and formatted once
 * a group: formatting each of a month's 100,000 rows took longer than summing them.
 */
const UTC_DAY = sql<string>`(created_at at time zone 'UTC')::date`;
const KEYS: Record<UsageGroupBy, { group: RawBuilder<string>; key: RawBuilder<string> }> = {
  job: { group: sql<string>`job_id`, key: sql<string>`job_id` },
  day: { group: UTC_DAY, key: sql<string>`to_char(${UTC_DAY}, 'YYYY-MM-DD')` },
  triggeredBy: { group: sql<string>`triggered_by`, key: sql<string>`triggered_by` },
};

/** One row a key, ordered by key; keys with no process in the range have no row. */
export async function sumUsage(db: Ledger, filter: UsageFilter): Promise<UsageRow[]> {
  const { group, key } = KEYS[filter.groupBy];
  let query = db
    .selectFrom('processes')
    .select([
      key.as('key'),
      (eb) => eb.fn.countAll<string>().as('processes'),
      (eb) => eb.fn.sum<number>('vcpu_seconds').as('vcpu_seconds'),
      (eb) => eb.fn.sum<number>('gib_seconds').as('gib_seconds'),
    ])
    .where('created_at', '>=', filter.from)
    .where('created_at', '<', filter.to);
  if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
  // Byte order, whatever the database's collation: the same order everywhere.
  const rows = await query.groupBy(group).orderBy(sql`${key} collate "C"`).execute();
  return rows.map((r) => ({ key: r.key, processes: Number(r.processes), vcpuSeconds: roundUsage(Number(r.vcpu_seconds)), gibSeconds: roundUsage(Number(r.gib_seconds)) }));
}
