/** `drover process start JOB`: a new process of a catalog job's latest version. */
import { CREDIT_CHECK_JOB, CREDIT_CHECK_JOB_ID } from '../catalog/built-in-jobs.js';
import { checkParameters, JobParametersError, parseJob, type Job } from '../catalog/job-definition.js';
import { getJobVersion } from '../ledger/catalog-store.js';
import { createProcess } from '../ledger/process-store.js';
import { inputRefused } from './bad-input.js';
import { startCreditCheckProcess } from './credit-check-process.js';
import type { LedgerSession } from './ledger-session.js';
import { processParameters, type ParameterInput } from './params.js';
import { newProcessId } from './process-id.js';
import { processUiLink, startRunJob, triggeredByCli, waitAndShow } from './process-launch.js';

export interface StartOptions extends ParameterInput {
  wait?: boolean;
  json?: boolean;
}

function checked(job: Pick<Job, 'id' | 'parameters'>, input: ParameterInput): Record<string, unknown> {
  try {
    return checkParameters(job, processParameters(job.parameters, input));
  } catch (err) {
    if (err instanceof JobParametersError) throw inputRefused(`parameters refused by ${job.id}:`, err.problems);
    throw err;
  }
}

/** Starts the process; returns the exit code (with --wait, 0 only when it succeeded). */
export async function startProcess(session: LedgerSession, jobId: string, opts: StartOptions): Promise<number> {
  const triggeredBy = triggeredByCli();
  if (jobId === CREDIT_CHECK_JOB_ID) {
    const parameters = checked({ id: jobId, parameters: CREDIT_CHECK_JOB.parameters }, opts);
    const { processId } = await startCreditCheckProcess(session, { parameters, triggeredBy });
    return announce(session, processId, opts);
  }
  const row = await getJobVersion(session.ledger(), jobId);
  const job = parseJob(row.document);
  const parameters = checked(job, opts);
  const processId = newProcessId(job.id);
  await createProcess(session.ledger(), {
    processId,
    jobId: job.id,
    version: row.version,
    triggeredBy,
    parameters,
    tasks: job.steps.map((s, position) => ({ name: s.name, position, vcpus: s.vcpus, memoryMiB: s.memoryMiB, ...(s.arraySize ? { arraySize: s.arraySize } : {}) })),
  });
  await startRunJob(session, { processId, jobId: job.id, version: row.version, parameters, triggeredBy, attempt: 1 }, true);
  return announce(session, processId, opts);
}

/** `started <pid>` and its link (or `{"processId"}`), unless --wait --json, whose one object is the process at its end. */
async function announce(session: LedgerSession, processId: string, opts: StartOptions): Promise<number> {
  if (!(opts.wait && opts.json)) console.log(opts.json ? JSON.stringify({ processId }) : `started ${processId}\nweb ui  ${processUiLink(session, processId)}`);
  if (!opts.wait) return 0;
  return waitAndShow(session, (await session.temporal()).workflow.getHandle(processId), Boolean(opts.json));
}
