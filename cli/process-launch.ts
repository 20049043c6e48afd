/** What `process start` and `process retry` share: who fired, the Web UI link, printing a process and waiting for its end. */
import type { WorkflowHandle } from '@temporalio/client';
import { runUiLink } from '../config/temporal-connection.js';
import { currentProcess } from '../control/process-settle.js';
import { pricedProcess } from '../control/usage.js';
import type { ProcessView } from '../ledger/process-store.js';
import { followUntilInterrupted } from './follow-run.js';
import { controlDeps, type LedgerSession } from './ledger-session.js';
import { describeProcess } from './process-table.js';
import { osUserName } from './os-user.js';

/** Exit code of a wait stopped with Ctrl-C (128 + SIGINT), the process left running. */
export const STOPPED_WAITING = 130;

/** Who started a process from this CLI: `cli:<os user>`. */
export function triggeredByCli(): string {
  return `cli:${osUserName()}`;
}

export function processUiLink(session: LedgerSession, processId: string): string {
  return runUiLink(session.config.temporal.uiUrl, session.config.temporal.namespace, processId);
}

/** The process as `process show` reads it: settled first when its workflow has closed. */
export function showCurrent(session: LedgerSession, processId: string): Promise<ProcessView> {
  return currentProcess(controlDeps(session), processId);
}

/** Prints a process as `process show` does: the ProcessView with --json, else the header and task table. */
export function printProcess(session: LedgerSession, view: ProcessView, json: boolean): void {
  const priced = pricedProcess(view, session.config.prices);
  console.log(json ? JSON.stringify(priced) : describeProcess(priced, processUiLink(session, view.processId)));
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
  const view = await showCurrent(session, handle.workflowId);
  printProcess(session, view, json);
  return view.status === 'SUCCEEDED' ? 0 : 1;
}
