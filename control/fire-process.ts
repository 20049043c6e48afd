/** Firing a job: a new process of its latest version, from the CLI, the API or a schedule's trigger. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CREDIT_CHECK_JOB, CREDIT_CHECK_JOB_ID } from '../catalog/built-in-jobs.js';
import { checkParameters, parseJob } from '../catalog/job-definition.js';
import { getJobVersion } from '../ledger/catalog-store.js';
import type { Ledger } from '../ledger/connect.js';
import { LedgerConflictError } from '../ledger/errors.js';
import { jobRetiredAt } from '../ledger/job-retirement.js';
import { showProcess } from '../ledger/process-queries.js';
import { createProcess, type ProcessView } from '../ledger/process-store.js';
import { startCreditCheck } from './credit-check-start.js';
import type { ControlDeps } from './deps.js';
import { newProcessId } from './process-id.js';
import { startRunJob } from './run-job-start.js';

export interface FireRequest {
  jobId: string;
  /** Checked against the job's parameter schema here. */
  parameters: Record<string, unknown>;
  /** `cli:<user>`, `api:<key name>`, `schedule:<id>`. */
  triggeredBy: string;
  /**
   * The process's id when the caller chose it (an idempotent firing): firing again with the
   * same id fires nothing new. Else a new one.
   */
  processId?: string;
}

/**
 * Checks the parameters (JobParametersError naming each bad one), records the process, then
 * starts its workflow; returns the process as the ledger has it then, QUEUED. An unknown job
 * is LedgerNotFoundError, a retired one LedgerConflictError. The built-in credit check starts
 * its own workflow.
 */
export async function fireProcess(deps: ControlDeps, request: FireRequest): Promise<ProcessView> {
  const { jobId, triggeredBy } = request;
  const row = await getJobVersion(deps.db, jobId);
  const retired = await jobRetiredAt(deps.db, jobId);
  if (retired) throw new LedgerConflictError(`${jobId} was retired at ${retired.toISOString()}: it starts no new processes (put it again to bring it back)`);
  if (jobId === CREDIT_CHECK_JOB_ID) {
    const parameters = checkParameters({ id: jobId, parameters: CREDIT_CHECK_JOB.parameters }, request.parameters) as { key: string; notify?: string };
    const processId = await startCreditCheck(deps, { parameters, triggeredBy, ...(request.processId ? { processId: request.processId } : {}) });
    return showProcess(deps.db, processId);
  }
  const job = parseJob(row.document);
  const parameters = checkParameters(job, request.parameters);
  const processId = request.processId ?? newProcessId(job.id);
  await createProcess(deps.db, {
    processId,
    jobId: job.id,
    version: row.version,
    triggeredBy,
    parameters,
    tasks: job.steps.map((s, position) => ({ name: s.name, position, vcpus: s.vcpus, memoryMiB: s.memoryMiB, ...(s.arraySize ? { arraySize: s.arraySize } : {}) })),
  });
  try {
    await startRunJob(deps, { processId, jobId: job.id, version: row.version, parameters, triggeredBy, attempt: 1 });
  } catch (err) {
    // Already there: this firing was sent twice with one id, and the first started it.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError && request.processId)) throw err;
  }
  return showProcess(deps.db, processId);
}

/** The JSON Schema of the parameters the job's latest version takes (LedgerNotFoundError for an unknown job). */
export async function jobParameterSchema(db: Ledger, jobId: string): Promise<Record<string, unknown>> {
  const row = await getJobVersion(db, jobId);
  return jobId === CREDIT_CHECK_JOB_ID ? CREDIT_CHECK_JOB.parameters : parseJob(row.document).parameters;
}
