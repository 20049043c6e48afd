/** `drover process cancel` and `drover process retry`: acting on a process that exists. */
import { setTimeout as sleep } from 'node:timers/promises';
import { getJobVersion, isBuiltIn } from '../ledger/catalog-store.js';
import { LedgerConflictError } from '../ledger/errors.js';
import { currentProcess, printProcess, processUiLink, startRunJob, waitAndShow } from './process-launch.js';
import type { LedgerSession } from './ledger-session.js';
import { isOpen, workflowStatus } from './process-settle.js';
import { cancelRun } from './run-client.js';

/** How long `process cancel` waits for the workflow to close: the running step's Batch job is terminated first. */
const CANCEL_WAIT_MS = 60_000;

/** Requests the cancel, waits (bounded) for the workflow to close, and prints the process; 0 when it ended CANCELLED. */
export async function cancelProcess(session: LedgerSession, processId: string, reason: string | undefined): Promise<number> {
  const before = await currentProcess(session, processId);
  if (!isOpen(before)) throw new LedgerConflictError(`${processId} has already ended ${before.status}: there is nothing to cancel`);
  const client = await session.temporal();
  await cancelRun(client, processId, reason);
  const closed = client.workflow.getHandle(processId).result().then(
    () => true,
    () => true,
  );
  const inTime = await Promise.race([closed, sleep(CANCEL_WAIT_MS).then(() => false)]);
  const after = await currentProcess(session, processId);
  printProcess(session, after, false);
  if (!inTime) console.error(`\ncancellation requested; ${processId} has not ended in ${CANCEL_WAIT_MS / 1000} s (its running step is being stopped): see drover process show ${processId}`);
  return after.status === 'CANCELLED' ? 0 : 1;
}

export interface RetryOptions {
  wait?: boolean;
  json?: boolean;
}

/**
 * Runs a FAILED or CANCELLED process again as its next attempt, from its first task that did
 * not succeed: a new run of the same workflow id (Temporal's default id reuse policy allows
 * one once the last has closed), so the process keeps one id and one history list.
 */
export async function retryProcess(session: LedgerSession, processId: string, opts: RetryOptions): Promise<number> {
  const p = await currentProcess(session, processId);
  if (p.status !== 'FAILED' && p.status !== 'CANCELLED') throw new LedgerConflictError(`${processId} is ${p.status}: only a FAILED or CANCELLED process can be retried`);
  if ((await workflowStatus(await session.temporal(), processId)) === 'RUNNING') {
    throw new LedgerConflictError(`${processId}'s workflow is still running: wait for it to close, or cancel it (drover process cancel ${processId})`);
  }
  if (isBuiltIn((await getJobVersion(session.ledger(), p.jobId, p.version)).document)) {
    throw new LedgerConflictError(`${processId} is a process of the built-in job ${p.jobId}, which is not retried from here`);
  }
  const from = (p.tasks ?? []).find((t) => t.status !== 'SUCCEEDED');
  if (!from) throw new LedgerConflictError(`every task of ${processId} succeeded: there is nothing to retry`);
  const attempt = p.attempt + 1;
  await startRunJob(session, { processId, jobId: p.jobId, version: p.version, parameters: p.parameters, triggeredBy: p.triggeredBy, attempt, resumeFrom: from.name }, false);
  if (!(opts.wait && opts.json)) {
    console.log(opts.json ? JSON.stringify({ processId, attempt, resumeFrom: from.name }) : `retrying ${processId} (attempt ${attempt}) from ${from.name}\nweb ui  ${processUiLink(session, processId)}`);
  }
  if (!opts.wait) return 0;
  return waitAndShow(session, (await session.temporal()).workflow.getHandle(processId), Boolean(opts.json));
}
