/** `drover process cancel` and `drover process retry`: acting on a process that exists (control/ does the acting). */
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelProcess as requestProcessCancel } from '../control/cancel-process.js';
import { retryProcess as startRetry } from '../control/retry-process.js';
import { controlDeps, type LedgerSession } from './ledger-session.js';
import { printProcess, processUiLink, showCurrent, waitAndShow } from './process-launch.js';

/** How long `process cancel` waits for the workflow to close: the running step's Batch job is terminated first. */
const CANCEL_WAIT_MS = 60_000;

/** Requests the cancel, waits (bounded) for the workflow to close, and prints the process; 0 when it ended CANCELLED. */
export async function cancelProcess(session: LedgerSession, processId: string, reason: string | undefined): Promise<number> {
  await requestProcessCancel(controlDeps(session), processId, { ...(reason !== undefined ? { reason } : {}) });
  const closed = (await session.temporal()).workflow.getHandle(processId).result().then(
    () => true,
    () => true,
  );
  const inTime = await Promise.race([closed, sleep(CANCEL_WAIT_MS).then(() => false)]);
  const after = await showCurrent(session, processId);
  printProcess(session, after, false);
  if (!inTime) console.error(`\ncancellation requested; ${processId} has not ended in ${CANCEL_WAIT_MS / 1000} s (its running step is being stopped): see drover process show ${processId}`);
  return after.status === 'CANCELLED' ? 0 : 1;
}

export interface RetryOptions {
  wait?: boolean;
  json?: boolean;
}

/** Starts the process's next attempt from its first task that did not succeed, and prints it or waits for its end. */
export async function retryProcess(session: LedgerSession, processId: string, opts: RetryOptions): Promise<number> {
  const started = await startRetry(controlDeps(session), processId);
  if (!(opts.wait && opts.json)) {
    console.log(opts.json ? JSON.stringify(started) : `retrying ${processId} (attempt ${started.attempt}) from ${started.resumeFrom}\nweb ui  ${processUiLink(session, processId)}`);
  }
  if (!opts.wait) return 0;
  return waitAndShow(session, (await session.temporal()).workflow.getHandle(processId), Boolean(opts.json));
}
