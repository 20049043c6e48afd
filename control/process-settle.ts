/**
 * The ledger ends in the state its workflow ended in. A workflow ended from the Web UI or the
 * `temporal` CLI (terminated, timed out) cannot write the ledger, so a process read as QUEUED
 * or RUNNING is checked against its workflow first and settled when that has closed.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Ledger } from '../ledger/connect.js';
import { showProcess } from '../ledger/process-queries.js';
import { settleProcess, type ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';

/**
 * A row younger than this with no workflow is being started (the row is written first, then
 * the workflow started): it is left alone. Older, its start failed without settling it.
 */
const START_GRACE_MS = 60_000;

export function isOpen(p: Pick<ProcessView, 'status'>): boolean {
  return p.status === 'QUEUED' || p.status === 'RUNNING';
}

/** The workflow's status name (`RUNNING`, `COMPLETED`, `TERMINATED`, ...), or undefined when Temporal has no such workflow. */
export async function workflowStatus(client: Client, processId: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(processId).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

function endOf(status: string): 'SUCCEEDED' | 'FAILED' | 'CANCELLED' {
  if (status === 'TERMINATED' || status === 'CANCELLED') return 'CANCELLED';
  // runJob records its success before it completes; a completed workflow is a success whatever the row says.
  return status === 'COMPLETED' ? 'SUCCEEDED' : 'FAILED';
}

/** Settles `p` when it is open and its workflow is not; true when it did. */
export async function settleIfClosed(db: Ledger, client: () => Client | Promise<Client>, p: ProcessView, now = Date.now()): Promise<boolean> {
  if (!isOpen(p)) return false;
  const status = await workflowStatus(await client(), p.processId);
  if (status === 'RUNNING') return false;
  if (status === undefined) {
    if (now - Date.parse(p.createdAt) < START_GRACE_MS) return false;
    return settleProcess(db, { processId: p.processId, status: 'FAILED', reason: 'its workflow was not found: it never started, or Temporal no longer keeps it' });
  }
  return settleProcess(db, { processId: p.processId, status: endOf(status), reason: `its workflow ended as ${status} without recording it` });
}

/** A process as people see it (`process show`, `GET /v1/processes/{id}`): settled first when its workflow has closed. */
export async function currentProcess(deps: Pick<ControlDeps, 'db' | 'temporal'>, processId: string): Promise<ProcessView> {
  const view = await showProcess(deps.db, processId);
  return (await settleIfClosed(deps.db, deps.temporal, view)) ? showProcess(deps.db, processId) : view;
}

