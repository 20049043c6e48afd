/** `/v1/processes`: firing jobs and reading processes. Reading needs a viewer key, firing an operator key. */
import { Type } from '@sinclair/typebox';
import { fireProcessOnce } from '../../control/fire-once.js';
import { fireProcess } from '../../control/fire-process.js';
import { currentPage } from '../../control/process-list.js';
import { currentProcess } from '../../control/process-settle.js';
import { pricedProcess } from '../../control/usage.js';
import { errorWithCode } from '../../errors/drover-error.js';
import { controlDepsOf } from '../control-deps.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { requireRole } from '../require-role.js';
import { DEFAULT_PAGE_LIMIT, JobId, Page, PageQuery, PROCESS_ID_PATTERN, ProcessId } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';
import { ProcessSchema, ProcessStatus } from '../schemas/process.js';

export class TimeQueryError extends errorWithCode('TimeQueryError', 'REQUEST_TIME_INVALID') {}

/** A date-time the schema let through that no Date holds (a leap second, `23:59:60Z`). */
function timeOf(name: string, text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new TimeQueryError(`${name} ${JSON.stringify(text)} is not a time this API can read: give one like 2026-01-31T02:30:00Z`);
  return at;
}

/** The cursor holds the last row's creation time in microseconds since the epoch and its id (ledger ProcessPageKey). */
const CURSOR_PATTERNS = [/^\d{1,17}$/, new RegExp(PROCESS_ID_PATTERN)];

export async function processRoutes(app: ApiApp, opts: { deps: ApiDeps }): Promise<void> {
  const deps = controlDepsOf(opts.deps);
  const { prices } = opts.deps.config;

  app.post(
    '/processes',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'fireProcess',
        tags: ['processes'],
        summary: 'Fire a job: a new process of its latest version',
        description:
          'Answers 202 with the process, QUEUED, and its address in `Location`. With an `Idempotency-Key`, the same request sent again (a retry after a timeout) gets the same process; the same key with another job or other parameters is 409.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description: 'Any printable ASCII text up to 255 characters, new for each firing.' })),
        }),
        body: Type.Object(
          { jobId: JobId, parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Checked against the job\'s parameter schema. Default `{}`.' })) },
          { additionalProperties: false },
        ),
        response: { 202: ProcessSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const fire = { jobId: request.body.jobId, parameters: request.body.parameters ?? {}, triggeredBy: `api:${request.principal!.keyName}` };
      const key = request.headers['idempotency-key'];
      const process = key ? (await fireProcessOnce(deps, fire, { keyName: request.principal!.keyName, idempotencyKey: key })).process : await fireProcess(deps, fire);
      // POST has no id in its path: the audit row names the process it fired.
      request.auditNote = { target: process.processId };
      return reply.code(202).header('location', `/v1/processes/${process.processId}`).send(pricedProcess(process, prices));
    },
  );

  app.get(
    '/processes',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listProcesses',
        tags: ['processes'],
        summary: 'Processes, newest first, without their tasks',
        querystring: Type.Object({
          jobId: Type.Optional(JobId),
          status: Type.Optional(ProcessStatus),
          triggeredBy: Type.Optional(Type.String({ minLength: 1, maxLength: 300, pattern: '^[^\\u0000-\\u001f]+$', description: 'Exactly: `api:<key name>`, `schedule:<id>`, `cli:<user>`, `s3:<key>`.' })),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'Made at or after this time.' })),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'Made before this time.' })),
          ...PageQuery,
        }),
        response: { 200: Page(ProcessSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, CURSOR_PATTERNS);
      const page = await currentPage(deps, {
        ...(q.jobId ? { jobId: q.jobId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.triggeredBy ? { triggeredBy: q.triggeredBy } : {}),
        ...(q.since ? { since: timeOf('since', q.since) } : {}),
        ...(q.until ? { until: timeOf('until', q.until) } : {}),
        ...(after ? { after: { createdMicros: after[0]!, processId: after[1]! } } : {}),
        limit: q.limit ?? DEFAULT_PAGE_LIMIT,
      });
      return { items: page.items.map((p) => pricedProcess(p, prices)), nextCursor: page.next ? encodeCursor([page.next.createdMicros, page.next.processId]) : null };
    },
  );

  app.get(
    '/processes/:processId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getProcess',
        tags: ['processes'],
        summary: 'A process and its tasks: the object `drover process show --json` prints',
        params: Type.Object({ processId: ProcessId }),
        response: { 200: ProcessSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => pricedProcess(await currentProcess(deps, request.params.processId), prices),
  );
}
