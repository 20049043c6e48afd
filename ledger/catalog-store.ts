/**
 * The catalog: jobs and their versions. Every change to a job's document makes a new
 * version and keeps the old ones, so a process always runs the version it was fired with.
 */
import { sql } from 'kysely';
import type { Ledger } from './connect.js';
import { LedgerConflictError, LedgerNotFoundError } from './errors.js';

export interface JobVersionRow {
  jobId: string;
  version: number;
  /** The document as it was put (built-in jobs: drover's own description of them). */
  document: Record<string, unknown>;
  createdAt: Date;
}

export interface JobSummary {
  jobId: string;
  latestVersion: number;
  name: string;
  steps: number;
  builtIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A built-in job's document says so; `drover job put` may not replace it. */
export function isBuiltIn(document: Record<string, unknown>): boolean {
  return document['builtIn'] === true;
}

/**
 * Stores `document` as the job's next version, unless it equals the latest one (jsonb
 * equality: key order and spacing do not count), whose version is then returned. Concurrent
 * puts of one job are serialised by the job row's lock, so versions never collide.
 */
export async function putJobVersion(db: Ledger, jobId: string, document: Record<string, unknown>, options: { builtIn?: boolean } = {}): Promise<{ version: number; created: boolean }> {
  return db.transaction().execute(async (tx) => {
    await tx.insertInto('jobs').values({ job_id: jobId, latest_version: 0 }).onConflict((c) => c.column('job_id').doNothing()).execute();
    const job = await tx.selectFrom('jobs').select(['latest_version']).where('job_id', '=', jobId).forUpdate().executeTakeFirstOrThrow();
    if (job.latest_version > 0) {
      const latest = await tx
        .selectFrom('job_versions')
        .select(['document', sql<boolean>`document = ${JSON.stringify(document)}::jsonb`.as('same')])
        .where('job_id', '=', jobId)
        .where('version', '=', job.latest_version)
        .executeTakeFirstOrThrow();
      if (isBuiltIn(latest.document as Record<string, unknown>) && !options.builtIn) {
        throw new LedgerConflictError(`${jobId} is a built-in job of drover and cannot be edited`);
      }
      if (latest.same) return { version: job.latest_version, created: false };
    }
    const version = job.latest_version + 1;
    await tx.insertInto('job_versions').values({ job_id: jobId, version, document: JSON.stringify(document) }).execute();
    await tx.updateTable('jobs').set({ latest_version: version }).where('job_id', '=', jobId).execute();
    return { version, created: true };
  });
}

/** One version of a job, the latest when `version` is left out. */
export async function getJobVersion(db: Ledger, jobId: string, version?: number): Promise<JobVersionRow> {
  const row = await db
    .selectFrom('job_versions as v')
    .innerJoin('jobs as j', 'j.job_id', 'v.job_id')
    .select(['v.job_id', 'v.version', 'v.document', 'v.created_at'])
    .where('v.job_id', '=', jobId)
    .where((eb) => (version === undefined ? eb('v.version', '=', eb.ref('j.latest_version')) : eb('v.version', '=', version)))
    .executeTakeFirst();
  if (!row) throw new LedgerNotFoundError(version === undefined ? `no job ${jobId} in the catalog` : `job ${jobId} has no version ${version}`);
  return { jobId: row.job_id, version: row.version, document: row.document as Record<string, unknown>, createdAt: row.created_at };
}

/** The jobs in service, by id, with what their latest versions say: every one, or a page of those after `page.after`. */
export async function listJobs(db: Ledger, page: { after?: string; limit?: number } = {}): Promise<JobSummary[]> {
  let query = db
    .selectFrom('jobs as j')
    .innerJoin('job_versions as v', (join) => join.onRef('v.job_id', '=', 'j.job_id').onRef('v.version', '=', 'j.latest_version'))
    .select(['j.job_id', 'j.latest_version', 'j.created_at', 'v.document', 'v.created_at as updated_at'])
    .where('j.retired_at', 'is', null);
  if (page.after !== undefined) query = query.where('j.job_id', '>', page.after);
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = await query.orderBy('j.job_id').execute();
  return rows.map((r) => {
    const doc = r.document as Record<string, unknown>;
    return {
      jobId: r.job_id,
      latestVersion: r.latest_version,
      name: typeof doc['name'] === 'string' ? doc['name'] : r.job_id,
      steps: Array.isArray(doc['steps']) ? doc['steps'].length : 0,
      builtIn: isBuiltIn(doc),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  });
}
