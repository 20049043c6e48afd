/** GET /v1/usage and the estimated cost on processes, against a PostgreSQL of its own; Temporal is never needed (every process has ended). */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import type { ApiApp } from '../../api/deps.js';
import { buildApi } from '../../api/server.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../config/aws-clients.js';
import { loadConfigParts } from '../../config/load-config.js';
import { createApiKey } from '../../ledger/api-keys.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { caller, type Caller } from '../support/api-inject.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { TEST_PRICE_ENV, TEST_PRICES, writeUsageProcesses } from '../support/usage-fixture.js';

let pgServer: TestPostgres;
let db: Ledger;
let connection: Connection;
let aws: AwsClients;
let app: ApiApp;
let call: Caller;
let viewer = '';

beforeAll(async () => {
  pgServer = await startPostgres();
  db = openLedger(pgServer.url, { maxConnections: 4 });
  await migrateToLatest(db);
  await writeUsageProcesses(db);
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const config = loadConfigParts(['temporal', 'aws', 'batch', 'database', 'prices'], { env: { DATABASE_URL: pgServer.url, ...TEST_PRICE_ENV }, useStackFile: false });
  aws = createAwsClients(config);
  app = await buildApi({ db, temporal: new Client({ connection }), aws, config });
  call = caller(app);
  viewer = (await createApiKey(db, { name: 'usage-viewer', role: 'viewer' })).key;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await connection?.close();
  if (aws) destroyAwsClients(aws);
  await db?.destroy();
  await pgServer?.stop();
});

const RANGE = 'from=2026-03-01&to=2026-03-03';

describe('GET /v1/usage', () => {
  it('sums by job, with the cost worked out by hand', async () => {
    const res = await call('GET', `/v1/usage?${RANGE}&groupBy=job`, { key: viewer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
      groupBy: 'job',
      prices: TEST_PRICES,
      rows: [
        { key: 'feeds', processes: 2, vcpuSeconds: 6300, gibSeconds: 12600, estimatedUsd: 0.0756 },
        { key: 'rates', processes: 1, vcpuSeconds: 120, gibSeconds: 240, estimatedUsd: 0.00144 },
      ],
      total: { processes: 3, vcpuSeconds: 6420, gibSeconds: 12840, estimatedUsd: 0.07704 },
    });
  });

  it('sums by UTC day and by who started them, of one job, and by job by default', async () => {
    expect((await call('GET', `/v1/usage?${RANGE}&groupBy=day`, { key: viewer })).body).toMatchObject({
      rows: [
        { key: '2026-03-01', processes: 1, vcpuSeconds: 3600, gibSeconds: 7200, estimatedUsd: 0.0432 },
        { key: '2026-03-02', processes: 2, vcpuSeconds: 2820, gibSeconds: 5640, estimatedUsd: 0.03384 },
      ],
    });
    expect((await call('GET', `/v1/usage?${RANGE}&groupBy=triggeredBy`, { key: viewer })).body).toMatchObject({
      rows: [
        { key: 'cli:ann', processes: 2, vcpuSeconds: 3720, gibSeconds: 7440, estimatedUsd: 0.04464 },
        { key: 'schedule:nightly', processes: 1, vcpuSeconds: 2700, gibSeconds: 5400, estimatedUsd: 0.0324 },
      ],
    });
    expect((await call('GET', `/v1/usage?${RANGE}&groupBy=day&jobId=rates`, { key: viewer })).body).toMatchObject({
      rows: [{ key: '2026-03-02', processes: 1, estimatedUsd: 0.00144 }],
      total: { processes: 1, vcpuSeconds: 120, gibSeconds: 240, estimatedUsd: 0.00144 },
    });
    // A date-time with an offset: 2026-03-02T01:00+01:00 is midnight UTC, so p2 and p3 alone.
    expect((await call('GET', '/v1/usage?from=2026-03-02T01:00:00%2B01:00&to=2026-03-03', { key: viewer })).body).toMatchObject({ groupBy: 'job', total: { processes: 2, estimatedUsd: 0.03384 } });
  });

  it('defaults to the 30 days before now', async () => {
    const before = Date.now();
    const res = await call<{ from: string; to: string }>('GET', '/v1/usage', { key: viewer });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.to)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(30 * 86_400_000);
    const only = await call<{ from: string; to: string }>('GET', '/v1/usage?to=2026-03-03', { key: viewer });
    expect(only.body.from).toBe('2026-02-01T00:00:00.000Z');
  });

  it('refuses a range that is empty, backwards, too long or not a date, as problems; and a caller without a key', async () => {
    for (const query of ['from=2026-03-03&to=2026-03-03', 'from=2026-03-04&to=2026-03-03', 'from=2025-01-01&to=2026-03-03', 'from=2026-02-30', 'to=2026-03-01T24:00:00Z', 'from=yesterday', 'groupBy=week']) {
      const res = await call('GET', `/v1/usage?${query}`, { key: viewer });
      expect({ query, status: res.status, type: res.headers['content-type'] }).toEqual({ query, status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
    }
    expect((await call('GET', `/v1/usage?${RANGE}`)).status).toBe(401);
  });
});

describe('a process with its estimated cost', () => {
  it('on the process and each task, in GET /v1/processes/{id} and in lists', async () => {
    const res = await call<{ usage: unknown; tasks: Array<{ name: string; usage: unknown }> }>('GET', '/v1/processes/use-p2', { key: viewer });
    expect(res.status).toBe(200);
    expect(res.body.usage).toEqual({ vcpuSeconds: 2700, gibSeconds: 5400, estimatedUsd: 0.0324 });
    // 0.5 vCPU-hour and 1 GiB-hour: 0.018 + 0.0036; a quarter of a vCPU-hour and half a GiB-hour: 0.009 + 0.0018.
    expect(res.body.tasks.map((t) => [t.name, t.usage])).toEqual([
      ['t0', { vcpuSeconds: 1800, gibSeconds: 3600, estimatedUsd: 0.0216 }],
      ['t1', { vcpuSeconds: 900, gibSeconds: 1800, estimatedUsd: 0.0108 }],
    ]);
    const list = await call<{ items: Array<{ processId: string; usage: unknown }> }>('GET', '/v1/processes?jobId=rates', { key: viewer });
    expect(list.body.items.map((p) => [p.processId, p.usage])).toEqual([
      ['use-p4', { vcpuSeconds: 1000, gibSeconds: 1000, estimatedUsd: 0.011 }],
      ['use-p3', { vcpuSeconds: 120, gibSeconds: 240, estimatedUsd: 0.00144 }],
    ]);
  });
});
