/** What people ask the ledger: one process with its tasks, and lists of processes. */
import { sql } from 'kysely';
import type { Ledger } from './connect.js';
import { LedgerNotFoundError } from './errors.js';
import type { ProcessView, TaskView } from './process-store.js';
import { roundUsage } from './round-usage.js';
import type { ProcessStatus } from './tables.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function baseQuery(db: Ledger) {
  return db
    .selectFrom('processes as p')
    .select(['p.process_id', 'p.job_id', 'p.version', 'p.status', 'p.attempt', 'p.triggered_by', 'p.parameters', 'p.created_at', 'p.started_at', 'p.finished_at', 'p.failed_task', 'p.reason', 'p.vcpu_seconds', 'p.gib_seconds']);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function view(r: Row): ProcessView {
  return {
    processId: r.process_id,
    jobId: r.job_id,
    version: r.version,
    status: r.status,
    attempt: r.attempt,
    triggeredBy: r.triggered_by,
    parameters: r.parameters as Record<string, unknown>,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    failedTask: r.failed_task,
    reason: r.reason,
    // The row keeps its tasks' sum (migrations/0005-process-usage.ts), so a list reads no task rows.
    usage: { vcpuSeconds: round(r.vcpu_seconds), gibSeconds: round(r.gib_seconds) },
  };
}

const round = roundUsage;

/** One process with its tasks, in the job's order. */
export async function showProcess(db: Ledger, processId: string): Promise<ProcessView> {
  const row = await baseQuery(db).where('p.process_id', '=', processId).executeTakeFirst();
  if (!row) throw new LedgerNotFoundError(`no process ${processId} in the ledger`);
  const tasks = await db.selectFrom('tasks').selectAll().where('process_id', '=', processId).orderBy('position').orderBy('name').execute();
  return {
    ...view(row),
    tasks: tasks.map(
      (t): TaskView => ({
        name: t.name,
        status: t.status,
        attempts: t.attempts,
        startedAt: iso(t.started_at),
        finishedAt: iso(t.finished_at),
        batchJobId: t.batch_job_id,
        exitCode: t.exit_code,
        reason: t.reason,
        arraySize: t.array_size,
        usage: { vcpuSeconds: round(t.vcpu_seconds), gibSeconds: round(t.gib_seconds) },
        log: t.log,
        detail: (t.detail as Record<string, unknown> | null) ?? null,
      }),
    ),
  };
}

export interface ProcessFilter {
  jobId?: string;
  status?: ProcessStatus;
  /** Newest first, at most this many (default 50). */
  limit?: number;
}

export const DEFAULT_PROCESS_LIST_LIMIT = 50;

/** Processes newest first, without their tasks. */
export async function listProcesses(db: Ledger, filter: ProcessFilter = {}): Promise<ProcessView[]> {
  let query = baseQuery(db);
  if (filter.jobId) query = query.where('p.job_id', '=', filter.jobId);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  const rows = await query.orderBy('p.created_at', 'desc').orderBy('p.process_id', 'desc').limit(filter.limit ?? DEFAULT_PROCESS_LIST_LIMIT).execute();
  return rows.map(view);
}

/**
 * Where a page of processes ends: the last row's creation time, in whole microseconds since
 * the epoch as PostgreSQL keeps it (a Date's milliseconds would skip rows made within the
 * same millisecond), and its id, which orders rows made in the same microsecond.
 */
export interface ProcessPageKey {
  createdMicros: string;
  processId: string;
}

export interface ProcessPageFilter extends ProcessFilter {
  triggeredBy?: string;
  /** Made at or after this time. */
  since?: Date;
  /** Made before this time. */
  until?: Date;
  /** The rows after this one, newest first: the key of the last row of the page before. */
  after?: ProcessPageKey;
}

export interface ProcessPage {
  items: ProcessView[];
  /** The key of the page's last row when more rows follow it, else null. */
  next: ProcessPageKey | null;
}

/** One page of processes, newest first, without their tasks; rows made while paging never shift the pages after them. */
export async function pageProcesses(db: Ledger, filter: ProcessPageFilter = {}): Promise<ProcessPage> {
  const limit = filter.limit ?? DEFAULT_PROCESS_LIST_LIMIT;
  let query = baseQuery(db).select(sql<string>`(extract(epoch from p.created_at) * 1000000)::bigint::text`.as('created_micros'));
  if (filter.jobId) query = query.where('p.job_id', '=', filter.jobId);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  if (filter.triggeredBy) query = query.where('p.triggered_by', '=', filter.triggeredBy);
  if (filter.since) query = query.where('p.created_at', '>=', filter.since);
  if (filter.until) query = query.where('p.created_at', '<', filter.until);
  if (filter.after) {
    const at = sql<Date>`timestamptz 'epoch' + ${filter.after.createdMicros}::bigint * interval '1 microsecond'`;
    query = query.where(sql<boolean>`(p.created_at, p.process_id) < (${at}, ${filter.after.processId})`);
  }
  // One row past the page says whether another page follows.
  const rows = await query.orderBy('p.created_at', 'desc').orderBy('p.process_id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), next: rows.length > limit && last ? { createdMicros: last.created_micros, processId: last.process_id } : null };
}
