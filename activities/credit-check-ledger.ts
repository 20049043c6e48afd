/**
 * The credit check as a process of the built-in job `credit-check`: its stages are tasks
 * (validate, ingest, one scrape task a chunk, report, email), written from inside the
 * activities that run them, so the workflow and its recorded histories stay as they were.
 * The ledger is a record here, not the run's engine: a write that fails is logged and the
 * run goes on, and a worker without a database records nothing.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CREDIT_CHECK_JOB_ID } from '../catalog/built-in-jobs.js';
import { getJobVersion } from '../ledger/catalog-store.js';
import { closeOpenTasks, createProcess, recordProcess, recordTask, type TaskUpdate } from '../ledger/process-store.js';
import type { Ledger } from '../ledger/connect.js';
import type { ActivityDeps } from './deps.js';

/** Stages in the order they run; a chunk's task sits between ingest and report. */
export const STAGE_TASKS = { validate: 0, ingest: 1, report: 2_000_000_000, email: 2_000_000_001 } as const;
export type StageTask = keyof typeof STAGE_TASKS;

/** `scrape-1` for the first chunk: people count from one. */
export function scrapeTaskName(chunkIndex: number): string {
  return `scrape-${chunkIndex + 1}`;
}
export const scrapeTaskPosition = (chunkIndex: number): number => 2 + chunkIndex;

/** Credit checks are never retried as a process: every write is attempt 1's. */
const ATTEMPT = 1;

export interface CreditCheckLedger {
  /** The process row (a no-op when the CLI made it already), RUNNING. */
  begin(input: { key: string; bucket: string }): Promise<void>;
  task(update: Omit<TaskUpdate, 'processId' | 'attempt'>): Promise<void>;
  /** The process's end; open tasks end with it (a failure's running task FAILED). */
  end(status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', reason?: string): Promise<void>;
}

function processId(): string {
  return Context.current().info.workflowExecution?.workflowId ?? '';
}

async function bestEffort(what: string, write: (db: Ledger) => Promise<unknown>, db: Ledger | undefined): Promise<void> {
  if (!db) return;
  try {
    await write(db);
  } catch (err) {
    Context.current().log.warn(`could not record ${what} in the ledger`, { error: String(err) });
  }
}

export function creditCheckLedger({ ledger }: Pick<ActivityDeps, 'ledger'>): CreditCheckLedger {
  return {
    begin: ({ key, bucket }) =>
      bestEffort(
        'the process',
        async (db) => {
          const { version } = await getJobVersion(db, CREDIT_CHECK_JOB_ID);
          const id = processId();
          await createProcess(db, {
            processId: id,
            jobId: CREDIT_CHECK_JOB_ID,
            version,
            triggeredBy: `s3:${key}`,
            parameters: { key, bucket },
            tasks: (Object.entries(STAGE_TASKS) as [StageTask, number][]).map(([name, position]) => ({ name, position })),
          });
          await recordProcess(db, { processId: id, attempt: ATTEMPT, status: 'RUNNING' });
        },
        ledger,
      ),
    task: (update) => bestEffort(`task ${update.name}`, (db) => recordTask(db, { ...update, processId: processId(), attempt: ATTEMPT }), ledger),
    end: (status, reason) =>
      bestEffort(
        'the process\'s end',
        async (db) => {
          const id = processId();
          let failedTask: string | null = null;
          if (status === 'FAILED') {
            // The stage that failed: one its wrapper already ended FAILED, or the one still running.
            const failed = await db.selectFrom('tasks').select(['name']).where('process_id', '=', id).where('status', 'in', ['FAILED', 'RUNNING']).orderBy('position').executeTakeFirst();
            failedTask = failed?.name ?? null;
            if (failedTask) await recordTask(db, { processId: id, attempt: ATTEMPT, name: failedTask, status: 'FAILED', finishedAt: new Date(), reason: reason ?? null });
          }
          await closeOpenTasks(db, { processId: id, attempt: ATTEMPT, status: status === 'CANCELLED' ? 'CANCELLED' : 'SKIPPED' });
          await recordProcess(db, { processId: id, attempt: ATTEMPT, status, failedTask, reason: reason ?? null });
        },
        ledger,
      ),
  };
}

/**
 * Wraps a stage's activity: its task RUNNING as it starts, SUCCEEDED when it returns, FAILED
 * when it fails for good (a failure that will be retried leaves it RUNNING).
 */
export function asStageTask<I extends unknown[], O>(record: CreditCheckLedger, name: StageTask, activity: (...input: I) => Promise<O>): (...input: I) => Promise<O> {
  const position = STAGE_TASKS[name];
  return async (...input: I) => {
    await record.task({ name, position, status: 'RUNNING', startedAt: new Date(), attempts: Context.current().info.attempt });
    try {
      const out = await activity(...input);
      await record.task({ name, position, status: 'SUCCEEDED', finishedAt: new Date() });
      return out;
    } catch (err) {
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        await record.task({ name, position, status: 'FAILED', finishedAt: new Date(), reason: err.message });
      }
      throw err;
    }
  };
}
