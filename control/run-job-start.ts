/** Starting a catalog process's workflow: its first run, or a retry's next attempt. */
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { RUN_JOB_WORKFLOW, type RunJobInput } from '../contracts/job-process.js';
import { rootMessage } from '../errors/root-message.js';
import { settleProcess } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';

/**
 * Starts `runJob` for a process the ledger holds; the workflow id is the process id. A first
 * run never starts over a run of that id that has closed (a late copy of a firing would run the
 * process again); a retry does, as the next attempt. When Temporal refuses, the row is settled
 * FAILED with why, so it does not wait as QUEUED for a workflow that never came; not when it
 * refuses because the workflow is already there, which writes the row itself.
 */
export async function startRunJob(deps: Pick<ControlDeps, 'db' | 'temporal' | 'config'>, input: RunJobInput): Promise<WorkflowHandle> {
  const client = await deps.temporal();
  const first = (input.attempt ?? 1) === 1;
  try {
    return await client.workflow.start(RUN_JOB_WORKFLOW, {
      workflowId: input.processId,
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdReusePolicy: first ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
    });
  } catch (err) {
    if (first && !(err instanceof WorkflowExecutionAlreadyStartedError)) {
      await settleProcess(deps.db, { processId: input.processId, status: 'FAILED', reason: `its workflow could not be started: ${rootMessage(err)}` });
    }
    throw err;
  }
}
