/** `drover process start JOB`: a new process of a catalog job's latest version. */
import { JobParametersError } from '../catalog/job-definition.js';
import { fireProcess, jobParameterSchema } from '../control/fire-process.js';
import { inputRefused } from './bad-input.js';
import { controlDeps, type LedgerSession } from './ledger-session.js';
import { processParameters, type ParameterInput } from './params.js';
import { processUiLink, triggeredByCli, waitAndShow } from './process-launch.js';

export interface StartOptions extends ParameterInput {
  wait?: boolean;
  json?: boolean;
}

/** Starts the process; returns the exit code (with --wait, 0 only when it succeeded). */
export async function startProcess(session: LedgerSession, jobId: string, opts: StartOptions): Promise<number> {
  const deps = controlDeps(session);
  // --param values are typed by the job's own schema, so it is read first.
  const parameters = processParameters(await jobParameterSchema(deps.db, jobId), opts);
  let processId: string;
  try {
    ({ processId } = await fireProcess(deps, { jobId, parameters, triggeredBy: triggeredByCli() }));
  } catch (err) {
    if (err instanceof JobParametersError) throw inputRefused(`parameters refused by ${jobId}:`, err.problems);
    throw err;
  }
  if (!(opts.wait && opts.json)) console.log(opts.json ? JSON.stringify({ processId }) : `started ${processId}\nweb ui  ${processUiLink(session, processId)}`);
  if (!opts.wait) return 0;
  return waitAndShow(session, (await session.temporal()).workflow.getHandle(processId), Boolean(opts.json));
}
