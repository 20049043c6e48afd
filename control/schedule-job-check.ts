/**
 * What a schedule needs of the catalog: its job exists, is in service, is not built in, and
 * takes the schedule's parameters, with the placeholders filled by a sample time. Each runs'
 * parameters are checked again by the workflow, against the version it runs.
 */
import { checkParameters, JobParametersError, parseJob, type Problem } from '../catalog/job-definition.js';
import { scheduleInvalid } from '../catalog/schedule-definition.js';
import { renderPlaceholders } from '../catalog/schedule-placeholders.js';
import type { ScheduleDocument } from '../catalog/schedule-schema.js';
import { getJobVersion, isBuiltIn } from '../ledger/catalog-store.js';
import type { Ledger } from '../ledger/connect.js';
import { jobRetiredAt } from '../ledger/job-retirement.js';

async function jobProblems(db: Ledger, doc: Pick<ScheduleDocument, 'jobId' | 'parameters' | 'timezone'>, sampleTime: Date): Promise<Problem[]> {
  const { jobId } = doc;
  let retired: Date | null;
  try {
    retired = await jobRetiredAt(db, jobId);
  } catch (err) {
    if ((err as { code?: string }).code === 'LEDGER_NOT_FOUND') return [{ path: '/jobId', message: `no job ${jobId} in the catalog` }];
    throw err;
  }
  if (retired) return [{ path: '/jobId', message: `${jobId} was retired at ${retired.toISOString()}: put it again to schedule it` }];
  const row = await getJobVersion(db, jobId);
  if (isBuiltIn(row.document)) return [{ path: '/jobId', message: `${jobId} is built into drover and runs as its own workflow: it cannot be scheduled` }];
  const job = parseJob(row.document);
  try {
    checkParameters(job, renderPlaceholders(doc.parameters, { time: sampleTime, timezone: doc.timezone }));
  } catch (err) {
    if (!(err instanceof JobParametersError)) throw err;
    return err.problems.map((p) => ({ path: `/parameters${p.path === '/' ? '' : p.path}`, message: `${p.message} (as ${jobId} version ${row.version} takes them, the placeholders filled)` }));
  }
  return [];
}

/** Throws ScheduleInvalidError naming `/jobId` or `/parameters/...` when the catalog cannot run the schedule. */
export async function checkScheduleJob(db: Ledger, doc: Pick<ScheduleDocument, 'jobId' | 'parameters' | 'timezone'>, sampleTime = new Date()): Promise<void> {
  const problems = await jobProblems(db, doc, sampleTime);
  if (problems.length > 0) throw scheduleInvalid(`the catalog cannot run this schedule of ${doc.jobId}`, problems);
}
