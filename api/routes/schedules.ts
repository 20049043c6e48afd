/**
 * `/v1/schedules`: cron schedules on Temporal Schedules. Reading needs a viewer key, a run now
 * or a backfill an operator key, and creating, changing or deleting one an admin key. Refusals
 * are thrown as drover errors and answered as problems by the error handler: SCHEDULE_INVALID
 * and SCHEDULE_BACKFILL_INVALID 400 naming each field, SCHEDULE_NOT_FOUND 404, SCHEDULE_EXISTS 409.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ScheduleDocumentSchema, SchedulePatchSchema, ScheduleSchema } from '../../catalog/schedule-schema.js';
import { backfillSchedule, triggerSchedule } from '../../control/schedule-runs.js';
import { createSchedule, deleteSchedule, describeSchedule, listSchedules, updateSchedule } from '../../control/schedules.js';
import { pricedProcess } from '../../control/usage.js';
import { controlDepsOf } from '../control-deps.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { requireRole } from '../require-role.js';
import { DEFAULT_PAGE_LIMIT, JobId, Page, PageQuery } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';
import { BackfillBodySchema, BackfillResultSchema, ScheduleId, ScheduleViewSchema, TriggerBodySchema, TriggerResultSchema } from '../schemas/schedule.js';

const SCHEDULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A POST whose body is optional: none is `{}`, so a bare `POST .../trigger` works. */
async function emptyBodyIsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

export async function scheduleRoutes(app: ApiApp, opts: { deps: ApiDeps }): Promise<void> {
  const deps = controlDepsOf(opts.deps);
  const params = Type.Object({ scheduleId: ScheduleId });

  app.get(
    '/schedules',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'listSchedules',
        tags: ['schedules'],
        summary: 'The schedules, by id',
        querystring: Type.Object({ jobId: Type.Optional(JobId), ...PageQuery }),
        response: { 200: Page(ScheduleDocumentSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE_LIMIT;
      const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor, [SCHEDULE_ID])[0];
      const all = await listSchedules(deps, request.query.jobId === undefined ? {} : { jobId: request.query.jobId });
      const rest = after === undefined ? all : all.filter((s) => s.id > after);
      const items = rest.slice(0, limit);
      return { items, nextCursor: rest.length > limit ? encodeCursor([items.at(-1)!.id]) : null };
    },
  );

  app.post(
    '/schedules',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'createSchedule',
        tags: ['schedules'],
        summary: 'Create a schedule: a Temporal Schedule that fires a job on a cron',
        description:
          'A bad cron or time zone, a job that is not in the catalog, or parameters its schema refuses is 400 naming the field; an id taken is 409. Answers 201 with the schedule, its defaults filled, and its address in `Location`.',
        body: ScheduleSchema,
        response: { 201: ScheduleDocumentSchema, ...problemResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const doc = await createSchedule(deps, request.body);
      return reply.code(201).header('location', `/v1/schedules/${doc.id}`).send(doc);
    },
  );

  app.get(
    '/schedules/:scheduleId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getSchedule',
        tags: ['schedules'],
        summary: 'A schedule, its next 5 run times and its latest 10 processes',
        params,
        response: { 200: ScheduleViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const view = await describeSchedule(deps, request.params.scheduleId);
      return { ...view, recentProcesses: view.recentProcesses.map((p) => pricedProcess(p, opts.deps.config.prices)) };
    },
  );

  app.patch(
    '/schedules/:scheduleId',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'updateSchedule',
        tags: ['schedules'],
        summary: 'Change a schedule: the fields given replace its own; pause with `{"paused":true,"note":"..."}`',
        description: 'The id and the job stay. Changed parameters or a changed zone are checked against the job again.',
        params,
        body: SchedulePatchSchema,
        response: { 200: ScheduleDocumentSchema, ...problemResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => updateSchedule(deps, request.params.scheduleId, request.body),
  );

  app.delete(
    '/schedules/:scheduleId',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'deleteSchedule',
        tags: ['schedules'],
        summary: 'Delete a schedule; its processes stay, and one running now runs on',
        params,
        response: { 204: Type.Null({ description: 'Deleted.' }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteSchedule(deps, request.params.scheduleId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/schedules/:scheduleId/trigger',
    {
      preHandler: requireRole('operator'),
      preValidation: emptyBodyIsObject,
      schema: {
        operationId: 'triggerSchedule',
        tags: ['schedules'],
        summary: 'A run now, paused or not, with optional parameters that override the schedule\'s',
        description:
          'Without `parameters`, the Temporal Schedule\'s own trigger. Temporal\'s trigger takes no input, so with `parameters` the job is fired here, triggered by `schedule:<id>` like the schedule\'s runs. Either way `{{scheduledTime}}` and `{{scheduledDate}}` are now. Answers 202.',
        params,
        body: TriggerBodySchema,
        response: { 202: TriggerResultSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const result = await triggerSchedule(deps, request.params.scheduleId, request.body.parameters === undefined ? {} : { parameters: request.body.parameters });
      if (result.processId) reply.header('location', `/v1/processes/${result.processId}`);
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/schedules/:scheduleId/backfill',
    {
      preHandler: requireRole('operator'),
      schema: {
        operationId: 'backfillSchedule',
        tags: ['schedules'],
        summary: 'The runs the schedule would have made from start to end, made now under its overlap policy',
        description:
          'Each run gets its own nominal time, so `{{scheduledDate}}` is the day it stands for. They start all at once: under `skip`, a run due while another still runs is skipped; `buffer-all` runs them one after another.',
        params,
        body: BackfillBodySchema,
        response: { 202: BackfillResultSchema, ...problemResponses(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const result = await backfillSchedule(deps, request.params.scheduleId, { start: new Date(request.body.start), end: new Date(request.body.end) });
      return reply.code(202).send(result);
    },
  );
}
