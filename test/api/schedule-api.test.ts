/**
 * `/v1/schedules` through the API (buildApi over app.inject), against a test stack of its own:
 * the schedules are real Temporal Schedules and their runs runJob doing the job's step. Roles,
 * problem details naming each field, paging, trigger and backfill, and a job not retired from
 * under its schedules.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiApp } from '../../api/deps.js';
import { buildApi } from '../../api/server.js';
import { createApiKey } from '../../ledger/api-keys.js';
import type { Ledger } from '../../ledger/connect.js';
import { caller, type Caller } from '../support/api-inject.js';
import { eventually } from '../support/eventually.js';
import { ledgerOf } from '../support/processes.js';
import { stampJob } from '../support/schedules.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
let app: ApiApp;
let call: Caller;
const keys = { viewer: '', operator: '', admin: '' };
const JOB = 'api-stamp';
const STAMPED = { date: '{{scheduledDate}}', at: '{{scheduledTime}}' };

interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ in?: string; path: string; message: string }>;
}

beforeAll(async () => {
  stack = await startTestStack();
  db = ledgerOf(stack);
  app = await buildApi({ db, temporal: stack.client, aws: stack.aws, config: stack.config });
  call = caller(app);
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(db, { name: `sched-${role}`, role })).key;
  expect((await call('PUT', `/v1/jobs/${JOB}`, { key: keys.admin, body: stampJob(JOB) })).status).toBe(201);
}, 240_000);

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await stack?.close();
});

function expectProblem(answer: { status: number; headers: Record<string, unknown>; body: unknown }, status: number, code: string): ProblemBody {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = answer.body as ProblemBody;
  expect(body).toMatchObject({ type: `urn:drover:problem:${code}`, status });
  return body;
}

const schedule = (id: string, extra: Record<string, unknown> = {}) => ({ id, jobId: JOB, cron: '30 2 * * *', parameters: STAMPED, paused: true, ...extra });

describe('/v1/schedules', () => {
  it('creates with an admin key (201 and Location, the defaults filled); others may not', async () => {
    expectProblem(await call('POST', '/v1/schedules', { body: schedule('nightly') }), 401, 'API_KEY_MISSING');
    expectProblem(await call('POST', '/v1/schedules', { key: keys.operator, body: schedule('nightly') }), 403, 'API_ROLE_FORBIDDEN');
    const created = await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('nightly', { timezone: 'America/Chicago' }) });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/v1/schedules/nightly');
    expect(created.body).toEqual({ id: 'nightly', jobId: JOB, cron: '30 2 * * *', timezone: 'America/Chicago', parameters: STAMPED, overlap: 'skip', catchupWindowSeconds: 3600, paused: true, note: '' });
    expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('nightly') }), 409, 'SCHEDULE_EXISTS');
  });

  it('refuses a bad cron and a bad zone with 400 naming each field, and a body the schema refuses likewise', async () => {
    const bad = expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('bad', { cron: '0 25 * * *', timezone: 'Chicago' }) }), 400, 'SCHEDULE_INVALID');
    expect(bad.errors).toEqual([
      { in: 'body', path: '/cron', message: expect.stringMatching(/^the hour field "25" is not valid/) },
      { in: 'body', path: '/timezone', message: '"Chicago" is not an IANA time zone name (such as UTC or America/Chicago)' },
    ]);
    expect(bad.detail).toContain('/cron');
    const params = expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('bad', { parameters: { date: 'soon', at: '{{scheduledTime}}' } }) }), 400, 'SCHEDULE_INVALID');
    expect(params.errors!.map((e) => e.path)).toEqual(['/parameters/date']);
    const shape = expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: { id: 'bad', jobId: JOB } }), 400, 'REQUEST_INVALID');
    expect(shape.errors!.map((e) => e.path)).toEqual(['/cron']);
    expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('bad', { overlap: 'sometimes' }) }), 400, 'REQUEST_INVALID');
  });

  it('lists by id, paged, and by job; shows one with its next 5 run times; unknown is 404', async () => {
    for (const id of ['nightly-b', 'nightly-c']) expect((await call('POST', '/v1/schedules', { key: keys.admin, body: schedule(id) })).status).toBe(201);
    const first = await eventually('Temporal\'s list to hold all three', async () => {
      const page = await call<{ items: Array<{ id: string }>; nextCursor: string | null }>('GET', '/v1/schedules?limit=2', { key: keys.viewer });
      return page.body.nextCursor !== null && page;
    });
    expect(first.body.items.map((s) => s.id)).toEqual(['nightly', 'nightly-b']);
    const second = await call<{ items: Array<{ id: string }>; nextCursor: string | null }>('GET', `/v1/schedules?limit=2&cursor=${first.body.nextCursor}`, { key: keys.viewer });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: 'nightly-c' })], nextCursor: null });
    expect((await call<{ items: unknown[] }>('GET', '/v1/schedules?jobId=no-such-job', { key: keys.viewer })).body.items).toEqual([]);
    expectProblem(await call('GET', '/v1/schedules?cursor=bm9wZQ', { key: keys.viewer }), 400, 'CURSOR_INVALID');

    const shown = await call<{ nextRunTimes: string[]; recentProcesses: unknown[]; actions: Record<string, unknown> }>('GET', '/v1/schedules/nightly', { key: keys.viewer });
    expect(shown.status).toBe(200);
    expect(shown.body.nextRunTimes).toHaveLength(5);
    // 02:30 in Chicago: 07:30 or 08:30 UTC by the season.
    for (const t of shown.body.nextRunTimes) expect(t).toMatch(/T0[78]:30:00\.000Z$/);
    expect(shown.body.recentProcesses).toEqual([]);
    expect(shown.body.actions).toEqual({ taken: 0, skippedOverlap: 0, missedCatchupWindow: 0, running: [] });
    expectProblem(await call('GET', '/v1/schedules/nowhere', { key: keys.viewer }), 404, 'SCHEDULE_NOT_FOUND');
    expectProblem(await call('GET', '/v1/schedules/drover-sweeper', { key: keys.viewer }), 404, 'SCHEDULE_NOT_FOUND');
  });

  it('PATCH changes what it gives (pause with a note, the cron), refuses by field, 404 for none', async () => {
    const patched = await call('PATCH', '/v1/schedules/nightly-b', { key: keys.admin, body: { paused: true, note: 'partner is down', cron: '0 3 * * *' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 'nightly-b', paused: true, note: 'partner is down', cron: '0 3 * * *', timezone: 'UTC' });
    expect((await stack.client.schedule.getHandle('nightly-b').describe()).state).toMatchObject({ paused: true, note: 'partner is down' });
    expectProblem(await call('PATCH', '/v1/schedules/nightly-b', { key: keys.operator, body: { paused: false } }), 403, 'API_ROLE_FORBIDDEN');
    const tz = expectProblem(await call('PATCH', '/v1/schedules/nightly-b', { key: keys.admin, body: { timezone: 'Mars/Base' } }), 400, 'SCHEDULE_INVALID');
    expect(tz.errors!.map((e) => e.path)).toEqual(['/timezone']);
    expectProblem(await call('PATCH', '/v1/schedules/nightly-b', { key: keys.admin, body: { jobId: 'other' } }), 400, 'REQUEST_INVALID');
    expectProblem(await call('PATCH', '/v1/schedules/nightly-b', { key: keys.admin, body: {} }), 400, 'REQUEST_INVALID');
    expectProblem(await call('PATCH', '/v1/schedules/nowhere', { key: keys.admin, body: { paused: true } }), 404, 'SCHEDULE_NOT_FOUND');
  });

  it('trigger (operator) runs it now, 202 with the process; with parameters it overrides them; bad ones are 400 naming /parameters/...', async () => {
    expectProblem(await call('POST', '/v1/schedules/nightly/trigger', { key: keys.viewer }), 403, 'API_ROLE_FORBIDDEN');
    const triggered = await call<{ processId: string; startedBy: string }>('POST', '/v1/schedules/nightly/trigger', { key: keys.operator });
    expect(triggered.status).toBe(202);
    expect(triggered.body.startedBy).toBe('schedule');
    expect(triggered.body.processId).toMatch(/^nightly-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(triggered.headers['location']).toBe(`/v1/processes/${triggered.body.processId}`);
    const process = await eventually('the triggered process to succeed', async () => {
      const p = await call<{ status: string; triggeredBy: string; parameters: Record<string, string> }>('GET', `/v1/processes/${triggered.body.processId}`, { key: keys.viewer });
      return p.status === 200 && p.body.status === 'SUCCEEDED' && p.body;
    }, 120_000);
    const nominal = triggered.body.processId.slice('nightly-'.length);
    // A Chicago schedule: the date of the nominal time there, which is the UTC date or the day before.
    const utcDay = Date.parse(`${nominal.slice(0, 10)}T00:00:00Z`);
    expect([nominal.slice(0, 10), new Date(utcDay - 86_400_000).toISOString().slice(0, 10)]).toContain(process.parameters['date']);
    expect(process).toMatchObject({ triggeredBy: 'schedule:nightly', parameters: { at: nominal } });

    const direct = await call<{ processId: string; startedBy: string }>('POST', '/v1/schedules/nightly/trigger', { key: keys.operator, body: { parameters: { tag: 'by hand' } } });
    expect(direct.status).toBe(202);
    expect(direct.body.startedBy).toBe('direct');
    const fired = await call<{ triggeredBy: string; parameters: Record<string, unknown> }>('GET', `/v1/processes/${direct.body.processId}`, { key: keys.viewer });
    expect(fired.body).toMatchObject({ triggeredBy: 'schedule:nightly', parameters: { tag: 'by hand' } });

    const bad = expectProblem(await call('POST', '/v1/schedules/nightly/trigger', { key: keys.operator, body: { parameters: { date: 'someday' } } }), 400, 'JOB_PARAMETERS_INVALID');
    expect(bad.errors!.map((e) => e.path)).toEqual(['/parameters/date']);
    expectProblem(await call('POST', '/v1/schedules/nowhere/trigger', { key: keys.operator }), 404, 'SCHEDULE_NOT_FOUND');
  }, 180_000);

  it('backfill (operator) takes a past range: 202 with the runs; a range backwards or too long is 400 naming /end', async () => {
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
    expect((await call('PATCH', '/v1/schedules/nightly-c', { key: keys.admin, body: { cron: '*/15 * * * *', overlap: 'allow-all' } })).status).toBe(200);
    const filled = await call('POST', '/v1/schedules/nightly-c/backfill', { key: keys.operator, body: { start: new Date(base).toISOString(), end: new Date(base + 30 * 60_000).toISOString() } });
    expect(filled.status).toBe(202);
    // Every quarter hour from base (a whole minute) to base + 30 min, both ends included, as the test counts them.
    const quarters = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30].filter((m) => new Date(base + m * 60_000).getUTCMinutes() % 15 === 0);
    expect(filled.body).toEqual({ runs: quarters.length });

    const backwards = expectProblem(await call('POST', '/v1/schedules/nightly-c/backfill', { key: keys.operator, body: { start: new Date(base).toISOString(), end: new Date(base - 60_000).toISOString() } }), 400, 'SCHEDULE_BACKFILL_INVALID');
    expect(backwards.errors).toEqual([{ in: 'body', path: '/end', message: expect.stringMatching(/^must be after start/) }]);
    const long = expectProblem(await call('POST', '/v1/schedules/nightly-c/backfill', { key: keys.operator, body: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' } }), 400, 'SCHEDULE_BACKFILL_INVALID');
    expect(long.errors![0]!.message).toMatch(/more than 1000 runs/);
    expectProblem(await call('POST', '/v1/schedules/nightly-c/backfill', { key: keys.operator, body: { start: 'yesterday', end: '2025-02-01T00:00:00Z' } }), 400, 'REQUEST_INVALID');
  });

  it('a job is not retired while a schedule fires it (409); DELETE (admin) is 204, then 404, and the job can go', async () => {
    expectProblem(await call('DELETE', `/v1/jobs/${JOB}`, { key: keys.admin }), 409, 'LEDGER_CONFLICT');
    expectProblem(await call('DELETE', '/v1/schedules/nightly', { key: keys.operator }), 403, 'API_ROLE_FORBIDDEN');
    for (const id of ['nightly', 'nightly-b', 'nightly-c']) {
      const deleted = await call('DELETE', `/v1/schedules/${id}`, { key: keys.admin });
      expect([deleted.status, deleted.text]).toEqual([204, '']);
    }
    expectProblem(await call('DELETE', '/v1/schedules/nightly', { key: keys.admin }), 404, 'SCHEDULE_NOT_FOUND');
    const retired = await eventually('Temporal\'s list to drop the schedules, and the job to retire', async () => {
      const answer = await call('DELETE', `/v1/jobs/${JOB}`, { key: keys.admin });
      return answer.status === 200 && answer;
    });
    expect(retired.body).toMatchObject({ jobId: JOB });
    // A retired job takes no new schedules.
    const refused = expectProblem(await call('POST', '/v1/schedules', { key: keys.admin, body: schedule('after-retire') }), 400, 'SCHEDULE_INVALID');
    expect(refused.errors!.map((e) => e.path)).toEqual(['/jobId']);
  });

  it('the OpenAPI document lists the schedule operations', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { operationId?: string }>> }>('GET', '/openapi.json');
    const ops = Object.values(doc.body.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ops).toEqual(expect.arrayContaining(['listSchedules', 'createSchedule', 'getSchedule', 'updateSchedule', 'deleteSchedule', 'triggerSchedule', 'backfillSchedule']));
  });
});
