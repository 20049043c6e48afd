/** `/v1/jobs`: the catalog. Reading it needs a viewer key, changing it an admin key. */
import { Type } from '@sinclair/typebox';
import { JobSchema } from '../../catalog/job-schema.js';
import { putJob, retireJob } from '../../control/job-catalog.js';
import { getJobVersion, listJobs, type JobSummary } from '../../ledger/catalog-store.js';
import { jobRetiredAt } from '../../ledger/job-retirement.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { problem, sendProblem } from '../problem.js';
import { requireRole } from '../require-role.js';
import { DEFAULT_PAGE_LIMIT, JobId, Page, PageQuery } from '../schemas/common.js';
import { JobPutSchema, JobRetiredSchema, JobSummarySchema, JobVersionSchema } from '../schemas/job.js';
import { problemResponses } from '../schemas/problem.js';

const JOB_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** PostgreSQL's integer: a version past it is no version, not a database error. */
const MAX_VERSION = 2_147_483_647;

const summary = (j: JobSummary) => ({ ...j, createdAt: j.createdAt.toISOString(), updatedAt: j.updatedAt.toISOString() });

export interface JobRouteOptions {
  deps: ApiDeps;
  /** Whether a schedule fires the job (control/schedules.ts): a job is not retired from under its schedules. */
  jobHasSchedules: (jobId: string) => Promise<boolean>;
}

export async function jobRoutes(app: ApiApp, opts: JobRouteOptions): Promise<void> {
  const { db } = opts.deps;
  const params = Type.Object({ jobId: JobId });

  app.get(
    '/jobs',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listJobs',
        tags: ['jobs'],
        summary: 'The jobs in service, by id',
        querystring: Type.Object(PageQuery),
        response: { 200: Page(JobSummarySchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_LIMIT;
      const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor, [JOB_ID])[0];
      const rows = await listJobs(db, { ...(after ? { after } : {}), limit: limit + 1 });
      const items = rows.slice(0, limit);
      return { items: items.map(summary), nextCursor: rows.length > limit ? encodeCursor([items.at(-1)!.jobId]) : null };
    },
  );

  app.get(
    '/jobs/:jobId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getJob',
        tags: ['jobs'],
        summary: 'A job\'s document: its latest version, or ?version=',
        params,
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION })) }),
        response: { 200: JobVersionSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { jobId } = request.params;
      const row = await getJobVersion(db, jobId, request.query.version);
      const latest = request.query.version === undefined ? row : await getJobVersion(db, jobId);
      const retiredAt = await jobRetiredAt(db, jobId);
      return { jobId, version: row.version, latestVersion: latest.version, createdAt: row.createdAt.toISOString(), retiredAt: retiredAt?.toISOString() ?? null, document: row.document };
    },
  );

  app.put(
    '/jobs/:jobId',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'putJob',
        tags: ['jobs'],
        summary: 'Create or replace a job: a changed document is a new version',
        description: 'The body is the job document; its `id` must be the path\'s. 201 when the job is new, 200 for a new version or an unchanged document. A built-in job is 409.',
        params,
        body: JobSchema,
        response: { 200: JobPutSchema, 201: JobPutSchema, ...problemResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params;
      if (request.body.id !== jobId) {
        const message = `must be the path's job id, ${jobId}`;
        return sendProblem(reply, problem(400, 'REQUEST_INVALID', 'Bad Request', `the request was refused: body /id ${message}`, { errors: [{ in: 'body', path: '/id', message }] }));
      }
      const put = await putJob(db, request.body);
      return reply.code(put.created && put.version === 1 ? 201 : 200).send(put);
    },
  );

  app.delete(
    '/jobs/:jobId',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'retireJob',
        tags: ['jobs'],
        summary: 'Retire a job: no new processes, its history kept',
        description: 'Its versions and processes stay readable; putting it again brings it back. 409 for a built-in job and while schedules fire it.',
        params,
        response: { 200: JobRetiredSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { jobId } = request.params;
      const retiredAt = await retireJob(db, jobId, opts.jobHasSchedules);
      return { jobId, retiredAt: retiredAt.toISOString() };
    },
  );
}
