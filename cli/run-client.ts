import { Client, Connection, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { requestCancel } from '../control/cancel-process.js';
import { rootMessage } from '../errors/root-message.js';
import { progressQuery, type Progress } from '../workflows/definitions.js';
import { osUserName } from './os-user.js';

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface RunState {
  runId: string;
  status: RunStatus;
  progress: Pick<Progress, 'total' | 'done' | 'failed' | 'stage'>;
  /** Why the run failed, when it did. */
  reason?: string;
}

export async function connectClient(config: Pick<Config, 'temporal'>): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.temporal.namespace, identity: cliIdentity() });
}

/**
 * Who the CLI is to Temporal, in the `temporal` CLI's form (`temporal-cli:alice@host`): the
 * history records it on each request (a cancel's WorkflowExecutionCancelRequested event), and
 * the cancellation notice names it.
 */
export function cliIdentity(): string {
  return `drover-cli:${osUserName()}@${hostname()}`;
}

/** Asks Temporal to cancel a run, with the client's identity and, when given, a reason (control/cancel-process.ts). */
export async function cancelRun(client: Client, runId: string, reason?: string): Promise<void> {
  await requestCancel(client, runId, { ...(reason !== undefined ? { reason } : {}) });
}

/** Temporal's closing states, as the CLI names them: a terminated or timed-out run failed. */
export function toRunStatus(name: string): RunStatus {
  if (name === 'RUNNING' || name === 'CONTINUED_AS_NEW') return 'RUNNING';
  if (name === 'COMPLETED') return 'COMPLETED';
  if (name === 'CANCELLED') return 'CANCELLED';
  return 'FAILED';
}

export { rootMessage };

export async function runState(handle: WorkflowHandle): Promise<RunState> {
  const description = await handle.describe();
  const status = toRunStatus(description.status.name);
  let progress: RunState['progress'] = { total: null, done: 0, failed: 0, stage: 'starting' };
  try {
    const p = await handle.query(progressQuery);
    progress = { total: p.total, done: p.done, failed: p.failed, stage: p.stage };
  } catch {
    // A run that failed before its first task has no progress to tell.
  }
  let reason: string | undefined;
  if (status === 'FAILED') {
    try {
      await handle.result();
    } catch (err) {
      reason = rootMessage(err);
    }
  }
  return { runId: handle.workflowId, status, progress, reason };
}

/** Waits for the trigger to start the run, which takes a poll of the queue. */
export async function waitForRun(client: Client, runId: string, timeoutMs = 120_000): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(runId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}
