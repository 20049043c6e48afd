/**
 * Processes and their tasks. Activities write here and may be retried, and a workflow task
 * may run again, so every write is idempotent and never moves a row backwards: a row carries
 * the attempt that wrote it, a write from another attempt is ignored, and a task or process
 * that has ended stays ended until a retry starts its next attempt.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Ledger } from './connect.js';
import { LedgerNotFoundError } from './errors.js';
import type { ProcessStatus, TaskStatus } from './tables.js';

export interface NewTask {
  name: string;
  position: number;
  vcpus?: number;
  memoryMiB?: number;
  arraySize?: number;
}

export interface NewProcess {
  processId: string;
  jobId: string;
  version: number;
  triggeredBy: string;
  parameters: Record<string, unknown>;
  tasks: NewTask[];
}

export interface TaskUpdate {
  processId: string;
  /** The process attempt writing: a task row of another attempt is left alone. */
  attempt: number;
  name: string;
  status: Exclude<TaskStatus, 'PENDING'>;
  /** For a task the process did not know when it began (a credit check's chunk). */
  position?: number;
  attempts?: number;
  startedAt?: Date;
  finishedAt?: Date;
  batchJobId?: string;
  exitCode?: number | null;
  reason?: string | null;
  vcpuSeconds?: number;
  gibSeconds?: number;
  log?: string;
  detail?: Record<string, unknown>;
  vcpus?: number;
  memoryMiB?: number;
  arraySize?: number;
}

export interface ProcessUpdate {
  processId: string;
  attempt: number;
  status: Exclude<ProcessStatus, 'QUEUED'>;
  failedTask?: string | null;
  reason?: string | null;
}

export interface Usage {
  vcpuSeconds: number;
  gibSeconds: number;
}

export interface TaskView {
  name: string;
  status: TaskStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  batchJobId: string | null;
  exitCode: number | null;
  reason: string | null;
  arraySize: number | null;
  usage: Usage;
  /** Where the task's output is: a file of the local executor, or a CloudWatch Logs stream. */
  log: string | null;
  detail: Record<string, unknown> | null;
}

export interface ProcessView {
  processId: string;
  jobId: string;
  version: number;
  status: ProcessStatus;
  attempt: number;
  triggeredBy: string;
  parameters: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failedTask: string | null;
  reason: string | null;
  usage: Usage;
  tasks?: TaskView[];
}

const ENDED_PROCESS: readonly ProcessStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const OPEN_TASK: readonly TaskStatus[] = ['PENDING', 'RUNNING'];

/** The process row and its tasks, PENDING; a second call with the same id changes nothing. */
export async function createProcess(db: Ledger, p: NewProcess): Promise<{ created: boolean }> {
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('processes')
      .values({ process_id: p.processId, job_id: p.jobId, version: p.version, status: 'QUEUED', triggered_by: p.triggeredBy, parameters: JSON.stringify(p.parameters) })
      .onConflict((c) => c.column('process_id').doNothing())
      .executeTakeFirst();
    if (p.tasks.length > 0) {
      await tx
        .insertInto('tasks')
        .values(p.tasks.map((t) => ({ process_id: p.processId, name: t.name, position: t.position, status: 'PENDING' as const, vcpus: t.vcpus ?? null, memory_mib: t.memoryMiB ?? null, array_size: t.arraySize ?? null })))
        .onConflict((c) => c.columns(['process_id', 'name']).doNothing())
        .execute();
    }
    return { created: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 };
  });
}

/**
 * Starts attempt `attempt` of a process that ended: QUEUED again, its tasks from
 * `fromPosition` on PENDING and cleared, the tasks before it (which succeeded) kept.
 * Applying it twice, or after the attempt has moved on, changes nothing.
 */
export async function beginAttempt(db: Ledger, { processId, attempt, fromPosition }: { processId: string; attempt: number; fromPosition: number }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const moved = await tx
      .updateTable('processes')
      .set({ attempt, status: 'QUEUED', finished_at: null, failed_task: null, reason: null })
      .where('process_id', '=', processId)
      .where('attempt', '<', attempt)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return;
    await tx
      .updateTable('tasks')
      .set({ status: 'PENDING', process_attempt: attempt, attempts: 0, started_at: null, finished_at: null, batch_job_id: null, exit_code: null, reason: null, vcpu_seconds: 0, gib_seconds: 0, log: null, detail: null })
      .where('process_id', '=', processId)
      .where('position', '>=', fromPosition)
      .execute();
    await tx.updateTable('tasks').set({ process_attempt: attempt }).where('process_id', '=', processId).where('position', '<', fromPosition).execute();
    await sumTaskUsage(tx, processId);
  });
}

/**
 * Moves a process of `jobId` from QUEUED to RUNNING when fewer than `max` of the job's
 * processes run and none queued before it still waits (first in, first out). The job's
 * advisory lock makes the count and the move one step. True when the process runs now or
 * already ran in this attempt.
 */
export async function claimSlot(db: Ledger, { processId, jobId, attempt, max }: { processId: string; jobId: string; attempt: number; max: number }): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`drover-job:${jobId}`}))`.execute(tx);
    const me = await tx.selectFrom('processes').select(['status', 'attempt', 'created_at']).where('process_id', '=', processId).executeTakeFirst();
    if (!me) throw new LedgerNotFoundError(`no process ${processId} in the ledger`);
    if (me.attempt !== attempt) return false;
    if (me.status !== 'QUEUED') return me.status === 'RUNNING';
    const { ahead } = await tx
      .selectFrom('processes')
      .select((eb) => eb.fn.countAll<number>().as('ahead'))
      .where('job_id', '=', jobId)
      .where('process_id', '!=', processId)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'RUNNING'),
          eb.and([eb('status', '=', 'QUEUED'), eb.or([eb('created_at', '<', me.created_at), eb.and([eb('created_at', '=', me.created_at), eb('process_id', '<', processId)])])]),
        ]),
      )
      .executeTakeFirstOrThrow();
    if (Number(ahead) >= max) return false;
    // The time the slot was taken, not the transaction's start (now()), which came before the wait for the lock.
    await tx.updateTable('processes').set({ status: 'RUNNING', started_at: sql`coalesce(started_at, clock_timestamp())` }).where('process_id', '=', processId).execute();
    return true;
  });
}

/**
 * Hands the job's free slots (all but `max` RUNNING) to its oldest QUEUED processes, first in
 * first out, and returns their ids: each is RUNNING from now, and its claim (claimSlot) says
 * so. Under the job's lock, as claimSlot: a slot is handed once, however many processes end
 * at the same moment.
 */
export async function grantFreeSlots(db: Ledger, { jobId, max }: { jobId: string; max: number }): Promise<string[]> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`drover-job:${jobId}`}))`.execute(tx);
    const { running } = await tx
      .selectFrom('processes')
      .select((eb) => eb.fn.countAll<string>().as('running'))
      .where('job_id', '=', jobId)
      .where('status', '=', 'RUNNING')
      .executeTakeFirstOrThrow();
    const free = max - Number(running);
    if (free <= 0) return [];
    const next = await tx
      .selectFrom('processes')
      .select('process_id')
      .where('job_id', '=', jobId)
      .where('status', '=', 'QUEUED')
      .orderBy('created_at')
      .orderBy('process_id')
      .limit(free)
      .execute();
    if (next.length === 0) return [];
    const ids = next.map((r) => r.process_id);
    await tx.updateTable('processes').set({ status: 'RUNNING', started_at: sql`coalesce(started_at, clock_timestamp())` }).where('process_id', 'in', ids).where('status', '=', 'QUEUED').execute();
    return ids;
  });
}

/** The processes of `jobId` that hold or wait for a slot, other than `processId`: the ones to check are still alive. */
export async function processesAhead(db: Ledger, jobId: string, processId: string): Promise<Array<{ processId: string; status: ProcessStatus }>> {
  const rows = await db
    .selectFrom('processes')
    .select(['process_id', 'status'])
    .where('job_id', '=', jobId)
    .where('process_id', '!=', processId)
    .where('status', 'in', ['QUEUED', 'RUNNING'])
    .execute();
  return rows.map((r) => ({ processId: r.process_id, status: r.status }));
}

/** A process's state in this attempt; a process that has ended keeps its end. */
export async function recordProcess(db: Ledger, u: ProcessUpdate): Promise<boolean> {
  const ended = ENDED_PROCESS.includes(u.status);
  const result = await db
    .updateTable('processes')
    .set({
      status: u.status,
      ...(u.status === 'RUNNING' ? { started_at: sql`coalesce(started_at, now())` } : {}),
      ...(ended ? { finished_at: sql`now()`, started_at: sql`coalesce(started_at, now())` } : {}),
      ...(u.failedTask !== undefined ? { failed_task: u.failedTask } : {}),
      ...(u.reason !== undefined ? { reason: u.reason } : {}),
    })
    .where('process_id', '=', u.processId)
    .where('attempt', '=', u.attempt)
    .where('status', 'in', ['QUEUED', 'RUNNING'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Ends a process whose workflow ended without saying so (terminated from the Web UI or the
 * CLI, or timed out), whatever attempt it was in, with its open tasks.
 */
export async function settleProcess(db: Ledger, { processId, status, reason }: { processId: string; status: Exclude<ProcessStatus, 'QUEUED' | 'RUNNING'>; reason: string }): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('processes')
      .set({ status, reason, finished_at: sql`now()` })
      .where('process_id', '=', processId)
      .where('status', 'in', ['QUEUED', 'RUNNING'])
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await tx.updateTable('tasks').set({ status: 'CANCELLED', finished_at: sql`coalesce(finished_at, now())` }).where('process_id', '=', processId).where('status', 'in', OPEN_TASK).execute();
    return true;
  });
}

/**
 * A task's state in this attempt. RUNNING may be written again (a Batch job id, progress);
 * an ended task stays as it ended. A task not yet in the ledger is added at `position`.
 * A write of usage also sets the process's usage to its tasks' sum, in the same transaction.
 */
export async function recordTask(db: Ledger, u: TaskUpdate): Promise<boolean> {
  if (u.vcpuSeconds === undefined && u.gibSeconds === undefined) return writeTask(db, u);
  return db.transaction().execute(async (tx) => {
    // The process row's lock orders the usage writes of its tasks: each sum below is read
    // after the writes before it committed, so two tasks ending at once both count.
    await tx.selectFrom('processes').select('process_id').where('process_id', '=', u.processId).forUpdate().execute();
    const written = await writeTask(tx, u);
    if (written) await sumTaskUsage(tx, u.processId);
    return written;
  });
}

/** Sets a process's usage to the sum of its tasks' (a statement of the transaction holding its row). */
async function sumTaskUsage(tx: Ledger, processId: string): Promise<void> {
  await tx
    .updateTable('processes')
    .set({
      vcpu_seconds: sql`(select coalesce(sum(t.vcpu_seconds), 0) from tasks t where t.process_id = ${processId})`,
      gib_seconds: sql`(select coalesce(sum(t.gib_seconds), 0) from tasks t where t.process_id = ${processId})`,
    })
    .where('process_id', '=', processId)
    .execute();
}

async function writeTask(db: Ledger, u: TaskUpdate): Promise<boolean> {
  const values = {
    status: u.status,
    ...(u.attempts !== undefined ? { attempts: u.attempts } : {}),
    ...(u.startedAt !== undefined ? { started_at: u.startedAt } : {}),
    ...(u.finishedAt !== undefined ? { finished_at: u.finishedAt } : {}),
    ...(u.batchJobId !== undefined ? { batch_job_id: u.batchJobId } : {}),
    ...(u.exitCode !== undefined ? { exit_code: u.exitCode } : {}),
    ...(u.reason !== undefined ? { reason: u.reason } : {}),
    ...(u.vcpuSeconds !== undefined ? { vcpu_seconds: u.vcpuSeconds } : {}),
    ...(u.gibSeconds !== undefined ? { gib_seconds: u.gibSeconds } : {}),
    ...(u.log !== undefined ? { log: u.log } : {}),
    ...(u.detail !== undefined ? { detail: JSON.stringify(u.detail) } : {}),
    ...(u.vcpus !== undefined ? { vcpus: u.vcpus } : {}),
    ...(u.memoryMiB !== undefined ? { memory_mib: u.memoryMiB } : {}),
    ...(u.arraySize !== undefined ? { array_size: u.arraySize } : {}),
  };
  if (u.position !== undefined) {
    const result = await db
      .insertInto('tasks')
      .values({ process_id: u.processId, name: u.name, position: u.position, process_attempt: u.attempt, ...values })
      .onConflict((c) =>
        c
          .columns(['process_id', 'name'])
          .doUpdateSet(values)
          .where((eb) => eb.and([eb('tasks.process_attempt', '=', u.attempt), eb('tasks.status', 'in', OPEN_TASK)]) as Expression<SqlBool>),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  const result = await db
    .updateTable('tasks')
    .set(values)
    .where('process_id', '=', u.processId)
    .where('name', '=', u.name)
    .where('process_attempt', '=', u.attempt)
    .where('status', 'in', OPEN_TASK)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every task of this attempt still PENDING (or also RUNNING, for a cancel) as `status`. */
export async function closeOpenTasks(db: Ledger, { processId, attempt, status, reason }: { processId: string; attempt: number; status: 'SKIPPED' | 'CANCELLED'; reason?: string }): Promise<number> {
  const result = await db
    .updateTable('tasks')
    .set({ status, ...(status === 'CANCELLED' ? { finished_at: sql`coalesce(finished_at, now())` } : {}), ...(reason ? { reason } : {}) })
    .where('process_id', '=', processId)
    .where('process_attempt', '=', attempt)
    .where('status', 'in', status === 'SKIPPED' ? ['PENDING'] : OPEN_TASK)
    .execute();
  return result.reduce((n, r) => n + Number(r.numUpdatedRows), 0);
}
