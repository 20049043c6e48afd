/** Retrying a process: its next attempt, from its first task that did not succeed. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { getJobVersion, isBuiltIn } from '../ledger/catalog-store.js';
import { LedgerConflictError } from '../ledger/errors.js';
import type { ControlDeps } from './deps.js';
import { currentProcess, workflowStatus } from './process-settle.js';
import { startRunJob } from './run-job-start.js';

export interface RetryStarted {
  processId: string;
  /** The attempt now starting. */
  attempt: number;
  /** The task it starts from: the first that did not succeed. */
  resumeFrom: string;
}

/**
 * Runs a FAILED or CANCELLED process again as its next attempt: a new run of the same
 * workflow id, so the process keeps one id and one history list. Anything else about it is a
 * LedgerConflictError saying why not.
 */
export async function retryProcess(deps: ControlDeps, processId: string): Promise<RetryStarted> {
  const p = await currentProcess(deps, processId);
  if (p.status !== 'FAILED' && p.status !== 'CANCELLED') throw new LedgerConflictError(`${processId} is ${p.status}: only a FAILED or CANCELLED process can be retried`);
  if ((await workflowStatus(await deps.temporal(), processId)) === 'RUNNING') {
    throw new LedgerConflictError(`${processId}'s workflow is still running: wait for it to close, or cancel it (drover process cancel ${processId})`);
  }
  if (isBuiltIn((await getJobVersion(deps.db, p.jobId, p.version)).document)) {
    throw new LedgerConflictError(`${processId} is a process of the built-in job ${p.jobId}, which is not retried from here`);
  }
  const from = (p.tasks ?? []).find((t) => t.status !== 'SUCCEEDED');
  if (!from) throw new LedgerConflictError(`every task of ${processId} succeeded: there is nothing to retry`);
  const attempt = p.attempt + 1;
  try {
    await startRunJob(deps, { processId, jobId: p.jobId, version: p.version, parameters: p.parameters, triggeredBy: p.triggeredBy, attempt, resumeFrom: from.name });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new LedgerConflictError(`${processId} is being retried already`, { cause: err });
    throw err;
  }
  return { processId, attempt, resumeFrom: from.name };
}
