/**
 * The ledger's retention (DROVER_LEDGER_RETENTION_DAYS): processes that ended, made and
 * finished more than N days ago, are deleted with their tasks and the idempotency keys that
 * name them. Both times count: a process made long ago but retried and ended yesterday is
 * kept until its last end is N days old too. The age is read on created_at, which
 * processes_created (migrations/0006-ledger-indexes.ts) orders, so each batch walks from the
 * oldest process; finished_at only filters. A QUEUED or RUNNING process is never deleted, however
 * old: it is still someone's work, or a stuck one the sweeper or a person must settle.
 *
 * It deletes in short transactions of `batchSize` processes. Each locks only the rows it
 * deletes, skipping any row another transaction holds (a task being recorded), so a prune of a
 * month never holds the table, and a row it skipped goes in the next prune.
 */
import { sql } from 'kysely';
import { errorWithCode } from '../errors/drover-error.js';
import type { Ledger } from './connect.js';
import type { ProcessStatus } from './tables.js';

/** A retention of no whole number of days, or a batch of no whole number of processes. */
export class PruneOptionsError extends errorWithCode('PruneOptionsError', 'LEDGER_PRUNE_OPTIONS') {}

export const DEFAULT_PRUNE_BATCH = 1000;
const ENDED: readonly ProcessStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const DAY_MS = 86_400_000;

export interface PruneOptions {
  /** Keep processes made or finished within this many days. */
  days: number;
  /** Default: the database's clock, read once, so every batch has the same cutoff. */
  now?: Date;
  batchSize?: number;
  /** Called after each batch (a heartbeat, progress, the bench's timings). */
  onBatch?: (batch: PruneBatch) => void;
}

export interface PruneBatch {
  processes: number;
  tasks: number;
  idempotencyKeys: number;
  /** The batch's transaction, first statement to commit. */
  ms: number;
}

export interface PruneCounts {
  /** Processes made and finished before this time were (or would be) deleted. */
  cutoff: string;
  processes: number;
  tasks: number;
  idempotencyKeys: number;
}

export interface PruneResult extends PruneCounts {
  batches: number;
  /** The longest batch: the longest any row was held. */
  maxBatchMs: number;
}

async function cutoffOf(db: Ledger, o: Pick<PruneOptions, 'days' | 'now'>): Promise<Date> {
  if (!Number.isInteger(o.days) || o.days < 1) throw new PruneOptionsError(`retention days must be a whole number of at least 1, not ${o.days}`);
  const now = o.now ?? (await sql<{ now: Date }>`select now() as now`.execute(db)).rows[0]!.now;
  return new Date(now.getTime() - o.days * DAY_MS);
}

/** What a prune would delete now, deleting nothing (`drover db prune --dry-run`). */
export async function countPrunable(db: Ledger, o: Pick<PruneOptions, 'days' | 'now'>): Promise<PruneCounts> {
  const cutoff = await cutoffOf(db, o);
  const old = db.selectFrom('processes').select('process_id').where('created_at', '<', cutoff).where('finished_at', '<', cutoff).where('status', 'in', ENDED);
  const [processes, tasks, keys] = await Promise.all([
    db.selectFrom(old.as('p')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where('process_id', 'in', old).executeTakeFirstOrThrow(),
    db.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('process_id', 'in', old).executeTakeFirstOrThrow(),
  ]);
  return { cutoff: cutoff.toISOString(), processes: Number(processes.n), tasks: Number(tasks.n), idempotencyKeys: Number(keys.n) };
}

/** Deletes what the retention no longer keeps, a batch a transaction, until none is left; says what it deleted. */
export async function pruneLedger(db: Ledger, o: PruneOptions): Promise<PruneResult> {
  const cutoff = await cutoffOf(db, o);
  const size = o.batchSize ?? DEFAULT_PRUNE_BATCH;
  if (!Number.isInteger(size) || size < 1) throw new PruneOptionsError(`a prune batch must be a whole number of at least 1, not ${size}`);
  const result: PruneResult = { cutoff: cutoff.toISOString(), processes: 0, tasks: 0, idempotencyKeys: 0, batches: 0, maxBatchMs: 0 };
  for (;;) {
    const started = performance.now();
    const batch = await db.transaction().execute(async (tx) => {
      const doomed = await tx
        .selectFrom('processes')
        .select('process_id')
        .where('created_at', '<', cutoff)
        .where('finished_at', '<', cutoff)
        .where('status', 'in', ENDED)
        .orderBy('created_at')
        .limit(size)
        .forUpdate()
        .skipLocked()
        .execute();
      const ids = doomed.map((r) => r.process_id);
      if (ids.length === 0) return undefined;
      // The tasks would go with their process (on delete cascade); deleted first to be counted.
      const tasks = await tx.deleteFrom('tasks').where('process_id', 'in', ids).executeTakeFirst();
      const keys = await tx.deleteFrom('idempotency_keys').where('process_id', 'in', ids).executeTakeFirst();
      const processes = await tx.deleteFrom('processes').where('process_id', 'in', ids).executeTakeFirst();
      return { processes: Number(processes.numDeletedRows), tasks: Number(tasks.numDeletedRows), idempotencyKeys: Number(keys.numDeletedRows) };
    });
    if (!batch) return result;
    const ms = performance.now() - started;
    result.processes += batch.processes;
    result.tasks += batch.tasks;
    result.idempotencyKeys += batch.idempotencyKeys;
    result.batches++;
    result.maxBatchMs = Math.max(result.maxBatchMs, ms);
    o.onBatch?.({ ...batch, ms });
  }
}
