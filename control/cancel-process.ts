/** Cancelling a process: its running step's Batch job is terminated and the rest are not run. */
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { LedgerConflictError } from '../ledger/errors.js';
import type { ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';
import { currentProcess, isOpen } from './process-settle.js';

export interface CancelRequest {
  /** Why, recorded on the workflow's cancel request; the notice email quotes it. */
  reason?: string;
  /** Who asks (`api:<key name>`); default the Temporal client's own identity. */
  identity?: string;
}

/**
 * Asks Temporal to cancel a workflow, with who asks and why: both are recorded on its
 * WorkflowExecutionCancelRequested event, and the notice email names them. (handle.cancel()
 * sends the client's identity but takes no reason.)
 */
export async function requestCancel(client: Client, workflowId: string, request: CancelRequest = {}): Promise<void> {
  try {
    await client.workflowService.requestCancelWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId },
      identity: request.identity ?? client.options.identity,
      requestId: randomUUID(),
      reason: request.reason?.trim() ?? '',
    });
  } catch (err) {
    // gRPC NOT_FOUND: no such workflow, as handle.cancel() would say.
    if (isGrpcServiceError(err) && err.code === 5) throw new WorkflowNotFoundError(`no run ${workflowId}`, workflowId, undefined);
    throw err;
  }
}

/**
 * Requests the cancel of an open process and returns it as it is then (it ends CANCELLED once
 * its running step has stopped); one that has ended is a LedgerConflictError.
 */
export async function cancelProcess(deps: Pick<ControlDeps, 'db' | 'temporal'>, processId: string, request: CancelRequest = {}): Promise<ProcessView> {
  const before = await currentProcess(deps, processId);
  if (!isOpen(before)) throw new LedgerConflictError(`${processId} has already ended ${before.status}: there is nothing to cancel`);
  try {
    await requestCancel(await deps.temporal(), processId, request);
  } catch (err) {
    // Its row is written before its workflow is started: a cancel can fall between the two.
    if (err instanceof WorkflowNotFoundError) throw new LedgerConflictError(`${processId}'s workflow has not started yet: cancel it again in a moment`, { cause: err });
    throw err;
  }
  return currentProcess(deps, processId);
}
