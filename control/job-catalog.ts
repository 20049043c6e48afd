/** Changing the catalog: putting a job's document, retiring a job. */
import { parseJob } from '../catalog/job-definition.js';
import { getJobVersion, isBuiltIn, putJobVersion } from '../ledger/catalog-store.js';
import type { Ledger } from '../ledger/connect.js';
import { LedgerConflictError } from '../ledger/errors.js';
import { retireJob as markRetired, unretireJob } from '../ledger/job-retirement.js';

export interface JobPut {
  jobId: string;
  version: number;
  /** False when the document equals the latest version, which is kept. */
  created: boolean;
}

/**
 * Stores a job document as its job's next version (JobDefinitionError naming each bad field;
 * LedgerConflictError for a built-in job). A retired job put again is back in service.
 */
export async function putJob(db: Ledger, document: Record<string, unknown>): Promise<JobPut> {
  const jobId = parseJob(document).id;
  const { version, created } = await putJobVersion(db, jobId, document);
  await unretireJob(db, jobId);
  return { jobId, version, created };
}

/**
 * Retires a job: it fires no new processes and leaves the list, and its versions and processes
 * stay. Not a built-in job, and not while a schedule fires it (`hasSchedules`): its schedules go
 * first. Retiring it again keeps the first time.
 */
export async function retireJob(db: Ledger, jobId: string, hasSchedules: (jobId: string) => Promise<boolean>): Promise<Date> {
  const latest = await getJobVersion(db, jobId);
  if (isBuiltIn(latest.document)) throw new LedgerConflictError(`${jobId} is a built-in job of drover and cannot be retired`);
  if (await hasSchedules(jobId)) throw new LedgerConflictError(`${jobId} has schedules: delete them first (GET /v1/schedules?jobId=${jobId} lists them)`);
  return markRetired(db, jobId);
}
