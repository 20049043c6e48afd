/**
 * Firing, watching, cancelling and retrying processes through the API, against a test stack
 * of its own (PostgreSQL with the ledger, Temporal, the AWS emulator, the Batch executor and a
 * worker): each job's steps run for real. Most requests go through app.inject; one test talks
 * to the server over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'kysely';
import type { ApiApp } from '../../api/deps.js';
import { buildApi } from '../../api/server.js';
import { createApiKey } from '../../ledger/api-keys.js';
import type { Ledger } from '../../ledger/connect.js';
import { caller, type Caller } from '../support/api-inject.js';
import { eventually } from '../support/eventually.js';
import { ledgerOf } from '../support/processes.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
let app: ApiApp;
let call: Caller;
const keys = { viewer: '', operator: '', admin: '', other: '' };
const PROCESS_ID = /^[a-z0-9][a-z0-9-]{0,62}-\d{8}-\d{6}-[0-9a-f]{6}$/;

const bash = (script: string) => ['bash', '-c', script];
const small = { vcpus: 0.25, memoryMiB: 256 };

const JOBS = {
  dated: {
    id: 'api-dated',
    name: 'Dated two steps',
    parameters: { type: 'object', properties: { date: { type: 'string', format: 'date' }, rows: { type: 'integer' } }, required: ['date'], additionalProperties: false },
    steps: [
      { name: 'print-date', command: bash('echo "date=$DROVER_PARAM_DATE"; echo "rows=$DROVER_PARAM_ROWS"'), ...small },
      { name: 'after', command: bash('echo after'), ...small },
    ],
  },
  slow: { id: 'api-slow', name: 'Counts, then holds', steps: [{ name: 'count', command: bash('echo counted'), ...small }, { name: 'hold', command: bash('sleep 120'), ...small }] },
  failing: {
    id: 'api-failing',
    name: 'Fails in its second step',
    steps: [{ name: 'first', command: bash('echo first'), ...small }, { name: 'breaks', command: bash('echo breaking; exit 3'), ...small }, { name: 'never', command: bash('echo never'), ...small }],
  },
  fan: { id: 'api-fan', name: 'Three children', steps: [{ name: 'fan', arraySize: 3, command: bash('echo "child $AWS_BATCH_JOB_ARRAY_INDEX"'), ...small }] },
  retire: { id: 'api-retire', name: 'Soon retired', steps: [{ name: 'only', command: bash('echo only'), ...small }] },
};

interface Task {
  name: string;
  status: string;
  exitCode: number | null;
  batchJobId: string | null;
}
interface Process {
  processId: string;
  jobId: string;
  version: number;
  status: string;
  attempt: number;
  triggeredBy: string;
  parameters: Record<string, unknown>;
  failedTask: string | null;
  reason: string | null;
  tasks?: Task[];
}

beforeAll(async () => {
  stack = await startTestStack();
  db = ledgerOf(stack);
  app = await buildApi({ db, temporal: stack.client, aws: stack.aws, config: stack.config });
  call = caller(app);
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(db, { name: `proc-${role}`, role })).key;
  keys.other = (await createApiKey(db, { name: 'proc-other', role: 'operator' })).key;
  for (const doc of Object.values(JOBS)) expect((await call('PUT', `/v1/jobs/${doc.id}`, { key: keys.admin, body: doc })).status).toBe(201);
}, 240_000);

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  await stack?.close();
});

const show = async (processId: string): Promise<Process> => {
  const res = await call<Process>('GET', `/v1/processes/${processId}`, { key: keys.viewer });
  if (res.status !== 200) throw new Error(`GET ${processId}: ${res.status} ${res.text}`);
  return res.body;
};

/** Until the process has ended (the API settles it against its workflow), then the process. */
const ended = (processId: string, limitMs = 120_000) =>
  eventually(`${processId} to end`, async () => {
    const p = await show(processId);
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(p.status) ? p : undefined;
  }, limitMs);

const fire = (body: Record<string, unknown>, options: { key?: string; idempotencyKey?: string } = {}) =>
  call<Process>('POST', '/v1/processes', { key: options.key ?? keys.operator, body, ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}) });

function droverJson(...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(process.cwd(), 'bin', 'drover.js'), ...args], { env: stack.env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`drover ${args.join(' ')}: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('firing a job', () => {
  it('answers 202 with the process and its Location, runs it to the end, and shows it as the CLI does', async () => {
    const fired = await fire({ jobId: 'api-dated', parameters: { date: '2024-02-29', rows: 7 } });
    expect(fired.status).toBe(202);
    expect(fired.body.processId).toMatch(PROCESS_ID);
    expect(fired.headers.location).toBe(`/v1/processes/${fired.body.processId}`);
    expect(fired.body).toMatchObject({ jobId: 'api-dated', version: 1, status: 'QUEUED', attempt: 1, triggeredBy: 'api:proc-operator', parameters: { date: '2024-02-29', rows: 7 } });
    expect(fired.body.tasks!.map((t) => [t.name, t.status])).toEqual([['print-date', 'PENDING'], ['after', 'PENDING']]);
    // The audit trail names the process the firing made.
    await eventually('the firing\'s audit row', async () => (await db.selectFrom('audit').selectAll().where('target', '=', fired.body.processId).executeTakeFirst()) ?? undefined);
    expect(await db.selectFrom('audit').select(['key_name', 'method', 'route', 'status', 'outcome']).where('target', '=', fired.body.processId).execute()).toEqual([
      { key_name: 'proc-operator', method: 'POST', route: '/v1/processes', status: 202, outcome: 'ok' },
    ]);

    const p = await ended(fired.body.processId);
    expect(p).toMatchObject({ status: 'SUCCEEDED', failedTask: null });
    expect(p.tasks!.map((t) => [t.name, t.status, t.exitCode])).toEqual([['print-date', 'SUCCEEDED', 0], ['after', 'SUCCEEDED', 0]]);
    expect(await droverJson('process', 'show', p.processId, '--json')).toEqual(p);

    const log = await app.inject({ method: 'GET', url: `/v1/processes/${p.processId}/tasks/print-date/log`, headers: { authorization: `Bearer ${keys.viewer}` } });
    expect(log.statusCode).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(log.body).toMatch(/\ndate=2024-02-29\nrows=7\n$/);
    const tail = await app.inject({ method: 'GET', url: `/v1/processes/${p.processId}/tasks/print-date/log?tail=2`, headers: { authorization: `Bearer ${keys.viewer}` } });
    expect(tail.body).toBe('date=2024-02-29\nrows=7\n');

    const listed = await call<{ items: Process[] }>('GET', '/v1/processes?jobId=api-dated&triggeredBy=api:proc-operator', { key: keys.viewer });
    expect(listed.body.items.map((i) => [i.processId, i.status])).toEqual([[p.processId, 'SUCCEEDED']]);
  });

  it('refuses parameters the job refuses, naming each, an unknown job with 404 and a retired one with 409, making no process', async () => {
    const bad = await fire({ jobId: 'api-dated', parameters: { date: 'yesterday', colour: 'red' } });
    expect(bad).toMatchObject({ status: 400, body: { type: 'urn:drover:problem:JOB_PARAMETERS_INVALID' } });
    expect((bad.body as unknown as { errors: unknown[] }).errors).toEqual(
      expect.arrayContaining([
        { in: 'body', path: '/parameters/date', message: 'must match format "date"' },
        { in: 'body', path: '/parameters', message: 'must NOT have additional properties: colour' },
      ]),
    );
    expect(await fire({ jobId: 'api-dated' })).toMatchObject({ status: 400, body: { errors: [{ path: '/parameters', message: 'must have required property \'date\'' }] } });
    expect(await fire({ jobId: 'api-nothing' })).toMatchObject({ status: 404, body: { detail: 'no job api-nothing in the catalog' } });

    expect(await call('DELETE', '/v1/jobs/api-retire', { key: keys.admin })).toMatchObject({ status: 200, body: { jobId: 'api-retire', retiredAt: expect.any(String) } });
    expect(await fire({ jobId: 'api-retire' })).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/^api-retire was retired at .*: it starts no new processes/) } });
    const jobs = await call<{ items: Array<{ jobId: string }> }>('GET', '/v1/jobs', { key: keys.viewer });
    expect(jobs.body.items.map((j) => j.jobId)).not.toContain('api-retire');
    expect(await call('GET', '/v1/jobs/api-retire', { key: keys.viewer })).toMatchObject({ status: 200, body: { retiredAt: expect.any(String) } });
    const none = await call<{ items: unknown[] }>('GET', '/v1/processes?jobId=api-retire', { key: keys.viewer });
    expect(none.body.items).toEqual([]);
    // Put again, it is back in service.
    expect(await call('PUT', '/v1/jobs/api-retire', { key: keys.admin, body: JOBS.retire })).toMatchObject({ status: 200, body: { version: 1, created: false } });
    expect(await call('GET', '/v1/jobs/api-retire', { key: keys.viewer })).toMatchObject({ body: { retiredAt: null } });
    expect((await fire({ jobId: 'api-retire' })).status).toBe(202);
  });

  it('fires once per Idempotency-Key: the same request again gets the same process, another request with the key 409', async () => {
    const body = { jobId: 'api-dated', parameters: { date: '2025-01-02' } };
    const [a, b] = await Promise.all([fire(body, { idempotencyKey: 'order-1' }), fire(body, { idempotencyKey: 'order-1' })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.processId).toBe(a.body.processId);
    // The same parameters in another key order is the same request.
    const c = await fire({ parameters: { date: '2025-01-02' }, jobId: 'api-dated' }, { idempotencyKey: 'order-1' });
    expect({ status: c.status, processId: c.body.processId }).toEqual({ status: 202, processId: a.body.processId });
    const rows = await db.selectFrom('processes').select('process_id').where('job_id', '=', 'api-dated').where(sql<boolean>`parameters @> ${JSON.stringify({ date: '2025-01-02' })}::jsonb`).execute();
    expect(rows.map((r) => r.process_id)).toEqual([a.body.processId]);

    expect(await fire({ jobId: 'api-dated', parameters: { date: '2025-01-03' } }, { idempotencyKey: 'order-1' })).toMatchObject({ status: 409, body: { type: 'urn:drover:problem:IDEMPOTENCY_KEY_REUSED' } });
    // Another key's space: the same Idempotency-Key fires its own process.
    const other = await fire(body, { key: keys.other, idempotencyKey: 'order-1' });
    expect(other.status).toBe(202);
    expect(other.body.processId).not.toBe(a.body.processId);
    // A refused request does not hold its key: corrected, it fires.
    expect((await fire({ jobId: 'api-dated', parameters: { date: 'soon' } }, { idempotencyKey: 'order-2' })).status).toBe(400);
    expect((await fire({ jobId: 'api-dated', parameters: { date: '2025-01-04' } }, { idempotencyKey: 'order-2' })).status).toBe(202);
    expect((await ended(a.body.processId)).status).toBe('SUCCEEDED');
  });

  it('gives one child\'s log of an array task with ?index', async () => {
    const p = await ended((await fire({ jobId: 'api-fan' })).body.processId);
    expect(p.status).toBe('SUCCEEDED');
    for (const index of [0, 1, 2]) {
      const log = await app.inject({ method: 'GET', url: `/v1/processes/${p.processId}/tasks/fan/log?index=${index}`, headers: { authorization: `Bearer ${keys.viewer}` } });
      expect(log.body).toMatch(new RegExp(`\\nchild ${index}\\n$`));
    }
    expect(await call('GET', `/v1/processes/${p.processId}/tasks/fan/log?index=3`, { key: keys.viewer })).toMatchObject({ status: 400, body: { detail: 'index 3: task fan has children 0 to 2' } });
  });
});

describe('retiring a job', () => {
  it('is refused while a schedule fires the job, and done once the schedule is gone', async () => {
    const schedule = { id: 'api-fan-yearly', jobId: 'api-fan', cron: '0 0 1 1 *', paused: true, note: 'only here to hold the job' };
    expect((await call('POST', '/v1/schedules', { key: keys.admin, body: schedule })).status).toBe(201);
    // Temporal's list of schedules, which the check reads, may lag one made a moment ago.
    const refused = await eventually('the schedule to hold the job', async () => {
      const res = await call('DELETE', '/v1/jobs/api-fan', { key: keys.admin });
      return res.status === 409 ? res : undefined;
    });
    expect(refused.body).toMatchObject({ type: 'urn:drover:problem:LEDGER_CONFLICT', detail: expect.stringMatching(/^api-fan has schedules: delete them first/) });
    expect((await call('DELETE', '/v1/schedules/api-fan-yearly', { key: keys.admin })).status).toBeLessThan(300);
    const retired = await eventually('the job to be retired', async () => {
      const res = await call('DELETE', '/v1/jobs/api-fan', { key: keys.admin });
      return res.status === 200 ? res : undefined;
    });
    expect(retired.body).toMatchObject({ jobId: 'api-fan', retiredAt: expect.any(String) });
    // Its processes stay readable.
    const kept = await call<{ items: Process[] }>('GET', '/v1/processes?jobId=api-fan', { key: keys.viewer });
    expect(kept.body.items.length).toBeGreaterThan(0);
  });
});

describe('cancel and retry', () => {
  it('cancels a running process with who and why, and refuses to cancel one that has ended', async () => {
    const pid = (await fire({ jobId: 'api-slow' })).body.processId;
    await eventually('hold to run', async () => (await show(pid)).tasks![1]!.status === 'RUNNING');
    const cancelled = await call<Process>('POST', `/v1/processes/${pid}/cancel`, { key: keys.operator, body: { reason: 'testing cancel' } });
    expect(cancelled).toMatchObject({ status: 202, body: { processId: pid } });
    const p = await ended(pid);
    expect(p.status).toBe('CANCELLED');
    expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([['count', 'SUCCEEDED'], ['hold', 'CANCELLED']]);
    // The cancel request names the key that asked and why.
    const history = await stack.client.workflow.getHandle(pid).fetchHistory();
    const asked = history.events!.find((e) => e.workflowExecutionCancelRequestedEventAttributes)!.workflowExecutionCancelRequestedEventAttributes!;
    expect({ identity: asked.identity, cause: asked.cause }).toEqual({ identity: 'api:proc-operator', cause: 'testing cancel' });
    // No body at all is a cancel without a reason; this one has ended.
    expect(await call('POST', `/v1/processes/${pid}/cancel`, { key: keys.operator })).toMatchObject({ status: 409, body: { detail: `${pid} has already ended CANCELLED: there is nothing to cancel` } });
  });

  it('retries a failed process from its failed task as its next attempt, and refuses to retry one that succeeded', async () => {
    const first = await ended((await fire({ jobId: 'api-failing' })).body.processId);
    expect(first).toMatchObject({ status: 'FAILED', attempt: 1, failedTask: 'breaks' });
    const retried = await call('POST', `/v1/processes/${first.processId}/retry`, { key: keys.operator });
    expect(retried).toMatchObject({ status: 202, headers: { location: `/v1/processes/${first.processId}` }, body: { processId: first.processId, attempt: 2, resumeFrom: 'breaks' } });
    const again = await eventually('attempt 2 to end', async () => {
      const p = await show(first.processId);
      return p.attempt === 2 && p.status === 'FAILED' ? p : undefined;
    });
    expect(again.tasks!.map((t) => [t.name, t.status])).toEqual([['first', 'SUCCEEDED'], ['breaks', 'FAILED'], ['never', 'SKIPPED']]);
    expect(again.tasks![0]).toEqual(first.tasks![0]);
    expect(again.tasks![1]!.batchJobId).not.toBe(first.tasks![1]!.batchJobId);

    const fine = await ended((await fire({ jobId: 'api-retire' })).body.processId);
    expect(await call('POST', `/v1/processes/${fine.processId}/retry`, { key: keys.operator })).toMatchObject({ status: 409, body: { detail: `${fine.processId} is SUCCEEDED: only a FAILED or CANCELLED process can be retried` } });
    expect(await call('POST', '/v1/processes/api-failing-20000101-000000-000000/retry', { key: keys.operator })).toMatchObject({ status: 404 });
  });
});

describe('the built-in credit check', () => {
  it('runs on a workbook already in the bucket, and a missing one is 400', async () => {
    const key = 'manual/api-customers.xlsx';
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.config.aws.bucket, Key: key, Body: readFileSync(join(process.cwd(), 'samples', 'customers.xlsx')) }));
    const fired = await fire({ jobId: 'credit-check', parameters: { key, notify: 'boss@ranch.example' } });
    expect(fired).toMatchObject({ status: 202, body: { jobId: 'credit-check', triggeredBy: 'api:proc-operator', parameters: { key, notify: 'boss@ranch.example' } } });
    const p = await ended(fired.body.processId, 170_000);
    expect({ status: p.status, failedTask: p.failedTask, reason: p.reason }).toEqual({ status: 'SUCCEEDED', failedTask: null, reason: null });
    expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([['validate', 'SUCCEEDED'], ['ingest', 'SUCCEEDED'], ['scrape-1', 'SUCCEEDED'], ['report', 'SUCCEEDED'], ['email', 'SUCCEEDED']]);
    expect(await fire({ jobId: 'credit-check', parameters: { key: 'manual/absent.xlsx' } })).toMatchObject({
      status: 400,
      body: { type: 'urn:drover:problem:CREDIT_CHECK_NO_INPUT', detail: expect.stringContaining(`s3://${stack.config.aws.bucket}/manual/absent.xlsx is not there`) },
    });
  }, 180_000);
});

describe('the server over a real socket', () => {
  it('listens, says it is healthy, fires a job and serves its process at the Location it gave', async () => {
    const served = await buildApi({ db, temporal: stack.client, aws: stack.aws, config: stack.config });
    try {
      await served.listen({ port: 0, host: '127.0.0.1' });
      const address = served.server.address();
      if (!address || typeof address === 'string') throw new Error('no port');
      const base = `http://127.0.0.1:${address.port}`;
      const health = await fetch(`${base}/healthz`);
      expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { ok: true, database: { ok: true }, temporal: { ok: true } } });
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string };
      expect(doc.openapi).toBe('3.1.0');

      const fired = await fetch(`${base}/v1/processes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.operator}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jobId: 'api-retire' }),
      });
      expect(fired.status).toBe(202);
      const location = fired.headers.get('location')!;
      const { processId } = (await fired.json()) as Process;
      expect(location).toBe(`/v1/processes/${processId}`);
      const shown = await fetch(`${base}${location}`, { headers: { authorization: `Bearer ${keys.viewer}` } });
      expect(shown.status).toBe(200);
      expect(((await shown.json()) as Process).processId).toBe(processId);
      const unauthorised = await fetch(`${base}/v1/jobs`);
      expect({ status: unauthorised.status, type: unauthorised.headers.get('content-type') }).toEqual({ status: 401, type: 'application/problem+json; charset=utf-8' });
      await ended(processId);
    } finally {
      await served.close();
    }
  });
});
