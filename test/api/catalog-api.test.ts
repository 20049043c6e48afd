/**
 * The API's catalog and reading routes, its problem answers and its OpenAPI document, through
 * the real server (buildApi, app.inject) on a real PostgreSQL, migrated. Temporal is an
 * address nothing listens on: no route here needs it but /healthz, which must say so. The
 * processes are seeded straight into the ledger, ended, so the test knows every row it pages.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../../api/server.js';
import type { ApiApp } from '../../api/deps.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../config/aws-clients.js';
import { loadConfigParts } from '../../config/load-config.js';
import { createApiKey } from '../../ledger/api-keys.js';
import { ensureBuiltInJobs } from '../../ledger/built-in-jobs.js';
import { putJobVersion } from '../../ledger/catalog-store.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import type { ProcessStatus } from '../../ledger/tables.js';
import { caller, type Caller } from '../support/api-inject.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let pgServer: TestPostgres;
let db: Ledger;
let connection: Connection;
let aws: AwsClients;
let app: ApiApp;
let call: Caller;
const scratch = mkdtempSync(join(tmpdir(), 'drover-api-catalog-'));
const keys = { viewer: '', operator: '', admin: '' };

const bash = (script: string) => ['bash', '-c', script];
const jobDoc = (id: string, name = `Job ${id}`) => ({ id, name, steps: [{ name: 'only', command: bash('echo one') }] });

beforeAll(async () => {
  pgServer = await startPostgres();
  db = openLedger(pgServer.url, { maxConnections: 4 });
  await migrateToLatest(db);
  await ensureBuiltInJobs(db);
  // Nothing listens on port 1: Temporal "does not answer".
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const config = loadConfigParts(['temporal', 'aws', 'batch', 'database', 'prices'], { env: { DATABASE_URL: pgServer.url }, useStackFile: false });
  aws = createAwsClients(config);
  app = await buildApi({ db, temporal: new Client({ connection }), aws, config });
  call = caller(app);
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(db, { name: `catalog-${role}`, role })).key;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await connection?.close();
  if (aws) destroyAwsClients(aws);
  await db?.destroy();
  await pgServer?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the OpenAPI document and the open routes', () => {
  it('is OpenAPI 3.1 with the bearer scheme, and lists every route with its problems', async () => {
    const res = await call<{ openapi: string; components: { securitySchemes: Record<string, unknown> }; security: unknown[]; paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: { title?: string } }> } }>> }>('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    const mine: Array<[string, string]> = [
      ['/healthz', 'get'],
      ['/v1/jobs', 'get'],
      ['/v1/jobs/{jobId}', 'get'],
      ['/v1/jobs/{jobId}', 'put'],
      ['/v1/jobs/{jobId}', 'delete'],
      ['/v1/processes', 'get'],
      ['/v1/processes', 'post'],
      ['/v1/processes/{processId}', 'get'],
      ['/v1/processes/{processId}/cancel', 'post'],
      ['/v1/processes/{processId}/retry', 'post'],
      ['/v1/processes/{processId}/tasks/{task}/log', 'get'],
    ];
    for (const [path, method] of mine) expect({ path, method, present: Boolean(doc.paths[path]?.[method]) }).toEqual({ path, method, present: true });
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of operations.filter((o) => o.path.startsWith('/v1/'))) {
      expect({ path, problems: ['401', '403'].every((s) => s in op.responses) }).toEqual({ path, problems: true });
    }
    // The job document's own schema is the body of PUT /v1/jobs/{jobId}.
    expect(doc.paths['/v1/jobs/{jobId}']!.put!.requestBody!.content['application/json']!.schema.title).toBe('drover job');
    // The log is text.
    expect(Object.keys((doc.paths['/v1/processes/{processId}/tasks/{task}/log']!.get!.responses['200'] as { content: object }).content)).toEqual(['text/plain']);
  });

  it('serves Swagger UI at /docs without a key', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger');
  });

  it('answers /healthz without a key, 503 naming Temporal when it does not answer', async () => {
    const res = await call<{ ok: boolean; database: { ok: boolean }; temporal: { ok: boolean; error?: string } }>('GET', '/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, database: { ok: true }, temporal: { ok: false } });
    expect(res.body.temporal.error).toBeTruthy();
  });
});

describe('keys and roles', () => {
  it('refuses a request without a key (401), with an unknown key (401), and a key below the role (403)', async () => {
    const none = await call('GET', '/v1/jobs');
    expect(none).toMatchObject({ status: 401, headers: { 'content-type': expect.stringMatching(/^application\/problem\+json/) }, body: { status: 401, type: 'urn:drover:problem:API_KEY_MISSING' } });
    expect((await call('GET', '/v1/jobs', { key: 'drover_not-a-key' })).status).toBe(401);
    const viewerPuts = await call('PUT', '/v1/jobs/api-roles', { key: keys.viewer, body: jobDoc('api-roles') });
    expect(viewerPuts).toMatchObject({ status: 403, body: { type: 'urn:drover:problem:API_ROLE_FORBIDDEN' } });
    expect((await call('PUT', '/v1/jobs/api-roles', { key: keys.operator, body: jobDoc('api-roles') })).status).toBe(403);
    expect((await call('POST', '/v1/processes', { key: keys.viewer, body: { jobId: 'api-roles' } })).status).toBe(403);
    expect((await call('DELETE', '/v1/jobs/api-roles', { key: keys.operator })).status).toBe(403);
    expect((await call('GET', '/v1/jobs', { key: keys.viewer })).status).toBe(200);
  });
});

describe('/v1/jobs', () => {
  it('puts a job: 201 when new, 200 for a new version or the same document, and reads any version', async () => {
    const doc = jobDoc('api-put');
    expect(await call('PUT', '/v1/jobs/api-put', { key: keys.admin, body: doc })).toMatchObject({ status: 201, body: { jobId: 'api-put', version: 1, created: true } });
    // The same document with its keys in another order: no new version.
    const reordered = { steps: doc.steps, name: doc.name, id: doc.id };
    expect(await call('PUT', '/v1/jobs/api-put', { key: keys.admin, body: reordered })).toMatchObject({ status: 200, body: { jobId: 'api-put', version: 1, created: false } });
    const renamed = { ...doc, name: 'Renamed' };
    expect(await call('PUT', '/v1/jobs/api-put', { key: keys.admin, body: renamed })).toMatchObject({ status: 200, body: { jobId: 'api-put', version: 2, created: true } });

    const latest = await call('GET', '/v1/jobs/api-put', { key: keys.viewer });
    expect(latest).toMatchObject({ status: 200, body: { jobId: 'api-put', version: 2, latestVersion: 2, retiredAt: null, document: renamed } });
    expect(Date.parse(latest.body.createdAt as string)).not.toBeNaN();
    expect(await call('GET', '/v1/jobs/api-put?version=1', { key: keys.viewer })).toMatchObject({ status: 200, body: { version: 1, latestVersion: 2, document: doc } });
    expect(await call('GET', '/v1/jobs/api-put?version=3', { key: keys.viewer })).toMatchObject({ status: 404, body: { type: 'urn:drover:problem:LEDGER_NOT_FOUND', detail: 'job api-put has no version 3' } });
    expect(await call('GET', '/v1/jobs/api-nothing', { key: keys.viewer })).toMatchObject({ status: 404, body: { detail: 'no job api-nothing in the catalog' } });
  });

  it('refuses a bad document naming each field, a body id other than the path\'s, and a built-in job', async () => {
    const bad = { id: 'api-bad', name: 'Bad', steps: [{ name: 'a', command: bash('true'), vcpus: 0.1 }, { name: 'b', commands: ['true'] }] };
    const refused = await call<{ errors: Array<{ path: string; message: string }> }>('PUT', '/v1/jobs/api-bad', { key: keys.admin, body: bad });
    expect(refused.status).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', path: '/steps/0/vcpus', message: 'must be multiple of 0.25' },
        { in: 'body', path: '/steps/1/commands', message: 'must NOT have additional properties' },
      ]),
    );
    // A repeated step name is the catalog's own check: JOB_INVALID, the field named.
    const repeated = { id: 'api-bad', name: 'Bad', steps: [{ name: 'a', command: bash('true') }, { name: 'a', command: bash('true') }] };
    expect(await call('PUT', '/v1/jobs/api-bad', { key: keys.admin, body: repeated })).toMatchObject({
      status: 400,
      body: { type: 'urn:drover:problem:JOB_INVALID', errors: [{ in: 'body', path: '/steps/1/name', message: 'repeats the step name "a"' }] },
    });
    // A parameter schema that is valid JSON Schema but cannot be compiled (a $ref to nowhere) is refused at put, not at the first firing.
    const unusable = { ...jobDoc('api-bad'), parameters: { type: 'object', properties: { day: { $ref: '#/nowhere' } } } };
    expect(await call('PUT', '/v1/jobs/api-bad', { key: keys.admin, body: unusable })).toMatchObject({
      status: 400,
      body: { type: 'urn:drover:problem:JOB_INVALID', errors: [{ in: 'body', path: '/parameters', message: expect.stringContaining('#/nowhere') }] },
    });
    expect(await call('PUT', '/v1/jobs/api-other', { key: keys.admin, body: jobDoc('api-bad') })).toMatchObject({
      status: 400,
      body: { errors: [{ in: 'body', path: '/id', message: 'must be the path\'s job id, api-other' }] },
    });
    expect(await call('GET', '/v1/jobs/api-bad', { key: keys.viewer })).toMatchObject({ status: 404 });
    expect(await call('PUT', '/v1/jobs/credit-check', { key: keys.admin, body: jobDoc('credit-check') })).toMatchObject({ status: 409, body: { type: 'urn:drover:problem:LEDGER_CONFLICT' } });
    expect(await call('DELETE', '/v1/jobs/credit-check', { key: keys.admin })).toMatchObject({ status: 409, body: { detail: 'credit-check is a built-in job of drover and cannot be retired' } });
    expect(await call('GET', '/v1/jobs/NOT_AN_ID', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ in: 'params', path: '/jobId' }] } });
  });

  it('lists the jobs by id, in pages', async () => {
    for (const id of ['api-list-a', 'api-list-b', 'api-list-c']) await putJobVersion(db, id, jobDoc(id));
    const all = await call<{ items: Array<{ jobId: string; latestVersion: number; steps: number; builtIn: boolean }>; nextCursor: string | null }>('GET', '/v1/jobs?limit=500', { key: keys.viewer });
    const ids = all.body.items.map((j) => j.jobId);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['api-list-a', 'api-list-b', 'api-list-c', 'credit-check']));
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items.find((j) => j.jobId === 'credit-check')).toMatchObject({ builtIn: true });
    expect(all.body.items.find((j) => j.jobId === 'api-list-b')).toMatchObject({ latestVersion: 1, steps: 1, builtIn: false });
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ jobId: string }>; nextCursor: string | null } } = await call('GET', `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: keys.viewer });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.items.map((j) => j.jobId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(ids);
  });
});

describe('problem answers to what a client sends', () => {
  it('413 past the body limit, 415 for a body that is not JSON, 400 for broken JSON or U+0000, 404 for no route', async () => {
    const huge = JSON.stringify({ ...jobDoc('api-huge'), description: 'x'.repeat(1024 * 1024) });
    expect(await call('PUT', '/v1/jobs/api-huge', { key: keys.admin, raw: { payload: huge, contentType: 'application/json' } })).toMatchObject({
      status: 413,
      headers: { 'content-type': expect.stringMatching(/^application\/problem\+json/) },
      body: { status: 413, type: 'urn:drover:problem:FST_ERR_CTP_BODY_TOO_LARGE' },
    });
    expect(await call('PUT', '/v1/jobs/api-text', { key: keys.admin, raw: { payload: 'id: api-text', contentType: 'text/plain' } })).toMatchObject({ status: 415, body: { status: 415 } });
    expect(await call('PUT', '/v1/jobs/api-text', { key: keys.admin, raw: { payload: '{"id": "api-text",', contentType: 'application/json' } })).toMatchObject({
      status: 400,
      body: { type: 'urn:drover:problem:REQUEST_BODY_INVALID', detail: expect.stringMatching(/^the body is not JSON: /) },
    });
    expect(await call('PUT', '/v1/jobs/api-nul', { key: keys.admin, body: { ...jobDoc('api-nul'), description: 'a\u0000b' } })).toMatchObject({ status: 400, body: { type: 'urn:drover:problem:REQUEST_BODY_INVALID' } });
    expect(await call('GET', '/v1/nothing-here', { key: keys.viewer })).toMatchObject({ status: 404, body: { type: 'urn:drover:problem:ROUTE_NOT_FOUND', title: 'Not Found' } });
    expect(await call('POST', '/v1/processes', { key: keys.operator, body: { jobId: 'api-put', parameters: [], extra: 1 } })).toMatchObject({
      status: 400,
      body: { errors: expect.arrayContaining([{ in: 'body', path: '/extra', message: 'must NOT have additional properties' }, { in: 'body', path: '/parameters', message: 'must be object' }]) },
    });
  });
});

interface Seeded {
  processId: string;
  jobId: string;
  status: ProcessStatus;
  triggeredBy: string;
  createdAt: Date;
}

describe('/v1/processes, read', () => {
  const seeded: Seeded[] = [];
  const base = Date.parse('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    for (const id of ['api-page-a', 'api-page-b']) await putJobVersion(db, id, jobDoc(id));
    const statuses: ProcessStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
    for (let i = 0; i < 25; i++) {
      // Pairs share a creation time to the microsecond, so the order within them is the id's.
      const createdAt = new Date(base + Math.floor(i / 2) * 60_000);
      seeded.push({
        processId: `api-page-${i % 2 ? 'b' : 'a'}-20260301-000000-${String(i).padStart(6, '0')}`,
        jobId: i % 2 ? 'api-page-b' : 'api-page-a',
        status: statuses[i % 3]!,
        triggeredBy: i % 4 === 0 ? 'api:seed' : 'cli:seed',
        createdAt,
      });
    }
    await db
      .insertInto('processes')
      .values(seeded.map((s) => ({ process_id: s.processId, job_id: s.jobId, version: 1, status: s.status, triggered_by: s.triggeredBy, parameters: JSON.stringify({ n: s.processId.slice(-2) }), created_at: s.createdAt, finished_at: s.createdAt })))
      .execute();
  });

  /** The test's own order: newest first, then by id, highest first. */
  const newestFirst = (rows: Seeded[]) => [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.processId < b.processId ? 1 : -1)).map((s) => s.processId);

  async function allPages(query: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<{ processId: string; tasks?: unknown }>; nextCursor: string | null } } = await call('GET', `/v1/processes?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { key: keys.viewer });
      expect(res.status).toBe(200);
      expect(res.body.items.every((p) => p.tasks === undefined)).toBe(true);
      pages.push(res.body.items.map((p) => p.processId));
      cursor = res.body.nextCursor;
    } while (cursor);
    return pages;
  }

  it('pages newest first: three pages, no process twice and none left out', async () => {
    const seededIds = new Set(seeded.map((s) => s.processId));
    const pages = await allPages('since=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z', 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const ids = pages.flat();
    expect(ids.every((id) => seededIds.has(id))).toBe(true);
    expect(ids).toEqual(newestFirst(seeded));
  });

  it('filters by job, status, who fired and time', async () => {
    const by = (f: (s: Seeded) => boolean) => newestFirst(seeded.filter(f));
    expect((await allPages('jobId=api-page-b', 4)).flat()).toEqual(by((s) => s.jobId === 'api-page-b'));
    expect((await allPages('status=FAILED&since=2026-03-01T00:00:00Z', 50)).flat()).toEqual(by((s) => s.status === 'FAILED'));
    expect((await allPages('triggeredBy=api:seed', 3)).flat()).toEqual(by((s) => s.triggeredBy === 'api:seed'));
    const since = new Date(base + 3 * 60_000);
    const until = new Date(base + 7 * 60_000);
    expect((await allPages(`since=${since.toISOString()}&until=${until.toISOString()}`, 50)).flat()).toEqual(by((s) => s.createdAt >= since && s.createdAt < until));
  });

  it('refuses a bad limit, status or cursor, naming the field', async () => {
    expect(await call('GET', '/v1/processes?limit=501', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ in: 'querystring', path: '/limit', message: 'must be <= 500' }] } });
    expect(await call('GET', '/v1/processes?limit=0', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ path: '/limit' }] } });
    expect(await call('GET', '/v1/processes?status=DONE', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: expect.arrayContaining([expect.objectContaining({ path: '/status' })]) } });
    expect(await call('GET', '/v1/processes?since=yesterday', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ path: '/since', message: 'must match format "date-time"' }] } });
    const forged = Buffer.from(JSON.stringify(['1; drop table processes', 'x'])).toString('base64url');
    expect(await call('GET', `/v1/processes?cursor=${forged}`, { key: keys.viewer })).toMatchObject({ status: 400, body: { type: 'urn:drover:problem:CURSOR_INVALID' } });
    expect(await call('GET', '/v1/processes?cursor=not-base64-json', { key: keys.viewer })).toMatchObject({ status: 400, body: { type: 'urn:drover:problem:CURSOR_INVALID' } });
  });

  it('shows one process with its tasks, and 404 for an id it does not hold', async () => {
    const s = seeded[7]!;
    await db.insertInto('tasks').values({ process_id: s.processId, name: 'only', position: 0, status: 'SUCCEEDED', exit_code: 0 }).execute();
    const res = await call('GET', `/v1/processes/${s.processId}`, { key: keys.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      processId: s.processId,
      jobId: s.jobId,
      version: 1,
      status: s.status,
      attempt: 1,
      triggeredBy: s.triggeredBy,
      parameters: { n: s.processId.slice(-2) },
      createdAt: s.createdAt.toISOString(),
      tasks: [{ name: 'only', status: 'SUCCEEDED', exitCode: 0, attempts: 0, log: null, usage: { vcpuSeconds: 0, gibSeconds: 0 } }],
    });
    expect(await call('GET', '/v1/processes/api-page-a-20000101-000000-000000', { key: keys.viewer })).toMatchObject({ status: 404, body: { detail: 'no process api-page-a-20000101-000000-000000 in the ledger' } });
    expect(await call('GET', '/v1/processes/Bad%20Id', { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ in: 'params', path: '/processId' }] } });
  });

  it('gives a task\'s log as text, its last lines with ?tail, and a problem for a task or child it does not have', async () => {
    const s = seeded[9]!;
    const log = join(scratch, 'only.log');
    // The last line has no newline after it, as a task that ended mid-line leaves it.
    writeFileSync(log, 'one\ntwo\nthree\nfour');
    await db.insertInto('tasks').values({ process_id: s.processId, name: 'only', position: 0, status: 'FAILED', log }).execute();
    await db.insertInto('tasks').values({ process_id: s.processId, name: 'never', position: 1, status: 'SKIPPED' }).execute();
    const whole = await app.inject({ method: 'GET', url: `/v1/processes/${s.processId}/tasks/only/log`, headers: { authorization: `Bearer ${keys.viewer}` } });
    expect({ status: whole.statusCode, type: whole.headers['content-type'], body: whole.body }).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'one\ntwo\nthree\nfour\n' });
    const tail = await app.inject({ method: 'GET', url: `/v1/processes/${s.processId}/tasks/only/log?tail=2`, headers: { authorization: `Bearer ${keys.viewer}` } });
    expect(tail.body).toBe('three\nfour\n');
    expect(await call('GET', `/v1/processes/${s.processId}/tasks/never/log`, { key: keys.viewer })).toMatchObject({ status: 404, body: { type: 'urn:drover:problem:TASK_LOG_NONE', detail: `task never of ${s.processId} has no log: it is SKIPPED` } });
    expect(await call('GET', `/v1/processes/${s.processId}/tasks/nope/log`, { key: keys.viewer })).toMatchObject({ status: 404, body: { type: 'urn:drover:problem:TASK_NOT_FOUND', detail: `${s.processId} has no task nope (its tasks: only, never)` } });
    expect(await call('GET', `/v1/processes/${s.processId}/tasks/only/log?index=1`, { key: keys.viewer })).toMatchObject({ status: 400, body: { type: 'urn:drover:problem:TASK_INDEX_INVALID', detail: 'task only is not an array task: index is for a task with arraySize' } });
    expect(await call('GET', `/v1/processes/${s.processId}/tasks/only/log?tail=0`, { key: keys.viewer })).toMatchObject({ status: 400, body: { errors: [{ path: '/tail' }] } });
  });
});
