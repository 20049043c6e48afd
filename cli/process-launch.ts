/**
 * Starting a catalog process's workflow (a first run or a retry) and waiting for it to end:
 * shared by `process start` and `process retry`.
 */
import { userInfo } from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { runUiLink } from '../config/temporal-connection.js';
import { RUN_JOB_WORKFLOW, type RunJobInput } from '../contracts/job-process.js';
import { showProcess } from '../ledger/process-queries.js';
import { settleProcess, type ProcessView } from '../ledger/process-store.js';
import { followUntilInterrupted } from './follow-run.js';
import type { LedgerSession } from './ledger-session.js';
import { describeProcess } from './process-table.js';
import { settleIfClosed } from './process-settle.js';
import { rootMessage } from './run-client.js';

/** Exit code of a wait stopped with Ctrl-C (128 + SIGINT), the process left running. */
export const STOPPED_WAITING = 130;

/** Who started a process from this CLI: `cli:<os user>`. */
export function triggeredByCli(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers).
  }
  return `cli:${user || process.env.USER || 'unknown'}`;
}

export function processUiLink(session: LedgerSession, processId: string): string {
  return runUiLink(session.config.temporal.uiUrl, session.config.temporal.namespace, processId);
}

/**
 * Starts `runJob` for a process the ledger holds. When Temporal refuses and `settleOnFailure`,
 * the row is settled FAILED with why, so it does not wait as QUEUED for a workflow that never came.
 */
export async function startRunJob(session: LedgerSession, input: RunJobInput, settleOnFailure: boolean): Promise<WorkflowHandle> {
  const client = await session.temporal();
  try {
    return await client.workflow.start(RUN_JOB_WORKFLOW, { workflowId: input.processId, taskQueue: session.config.temporal.taskQueue, args: [input] });
  } catch (err) {
    if (settleOnFailure) await settleProcess(session.ledger(), { processId: input.processId, status: 'FAILED', reason: `its workflow could not be started: ${rootMessage(err)}` });
    throw err;
  }
}

/** The process as `process show` reads it: settled first when its workflow has closed. */
export async function currentProcess(session: LedgerSession, processId: string): Promise<ProcessView> {
  const view = await showProcess(session.ledger(), processId);
  return (await settleIfClosed(session.ledger(), () => session.temporal(), view)) ? showProcess(session.ledger(), processId) : view;
}

/** Prints a process as `process show` does: the ProcessView with --json, else the header and task table. */
export function printProcess(session: LedgerSession, view: ProcessView, json: boolean): void {
  console.log(json ? JSON.stringify(view) : describeProcess(view, processUiLink(session, view.processId)));
}

/**
 * `--wait`: until the workflow closes (a failure is a result here, not an error), then the
 * process as `process show` prints it. Exits 0 only for SUCCEEDED; Ctrl-C stops the waiting,
 * not the process, and exits 130.
 */
export async function waitAndShow(session: LedgerSession, handle: WorkflowHandle, json: boolean): Promise<number> {
  if (await followUntilInterrupted(handle, { mode: 'quiet' })) {
    console.error(`\nstopped waiting; ${handle.workflowId} goes on. To cancel it: drover process cancel ${handle.workflowId}`);
    return STOPPED_WAITING;
  }
  const view = await currentProcess(session, handle.workflowId);
  printProcess(session, view, json);
  return view.status === 'SUCCEEDED' ? 0 : 1;
}
