/** `drover usage` and the estimated cost in `drover process show`, as a user runs them, against a PostgreSQL of its own. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { TEST_PRICE_ENV, TEST_PRICES, writeUsageProcesses } from '../support/usage-fixture.js';

let pgServer: TestPostgres;
let db: Ledger;
const home = mkdtempSync(join(tmpdir(), 'drover-usage-cli-'));

beforeAll(async () => {
  pgServer = await startPostgres();
  db = openLedger(pgServer.url);
  await migrateToLatest(db);
  await writeUsageProcesses(db);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await pgServer?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function drover(...args: string[]): Promise<Ran> {
  const env = { PATH: process.env.PATH ?? '', HOME: home, DROVER_HOME: home, DATABASE_URL: pgServer.url, ...TEST_PRICE_ENV };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'bin', 'drover.js'), ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('drover usage', () => {
  it('prints the sums as JSON, as GET /v1/usage', async () => {
    const ran = await drover('usage', '--from', '2026-03-01', '--to', '2026-03-03', '--group-by', 'triggered-by', '--json');
    expect(ran).toMatchObject({ status: 0 });
    expect(JSON.parse(ran.stdout)).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
      groupBy: 'triggeredBy',
      prices: TEST_PRICES,
      rows: [
        { key: 'cli:ann', processes: 2, vcpuSeconds: 3720, gibSeconds: 7440, estimatedUsd: 0.04464 },
        { key: 'schedule:nightly', processes: 1, vcpuSeconds: 2700, gibSeconds: 5400, estimatedUsd: 0.0324 },
      ],
      total: { processes: 3, vcpuSeconds: 6420, gibSeconds: 12840, estimatedUsd: 0.07704 },
    });
  });

  it('prints a table by day with the total, of one job', async () => {
    const ran = await drover('usage', '--from', '2026-03-01', '--to', '2026-03-04', '--group-by', 'day', '--job', 'rates');
    expect(ran).toMatchObject({ status: 0 });
    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toContain('from 2026-03-01T00:00:00.000Z to 2026-03-04T00:00:00.000Z');
    expect(lines.slice(2).map((l) => l.split(/\s+/))).toEqual([
      ['DAY', 'PROCESSES', 'VCPU-S', 'GIB-S', 'EST.', 'USD'],
      ['2026-03-02', '1', '120', '240', '$0.001440'],
      ['2026-03-03', '1', '1000', '1000', '$0.011000'],
      ['total', '2', '1120', '1240', '$0.012440'],
    ]);
  });

  it('refuses a backwards range and a date no calendar has with exit 2', async () => {
    const backwards = await drover('usage', '--from', '2026-03-03', '--to', '2026-03-01');
    expect(backwards.status).toBe(2);
    expect(backwards.stderr).toMatch(/must be before/);
    expect((await drover('usage', '--from', '2026-02-30')).status).toBe(2);
    expect((await drover('usage', '--group-by', 'week')).status).toBe(2);
  });
});

describe('drover process show', () => {
  it('gives the process and each task their estimated cost', async () => {
    const ran = await drover('process', 'show', 'use-p1', '--json');
    expect(ran).toMatchObject({ status: 0 });
    const shown = JSON.parse(ran.stdout) as { usage: unknown; tasks: Array<{ usage: unknown }> };
    expect(shown.usage).toEqual({ vcpuSeconds: 3600, gibSeconds: 7200, estimatedUsd: 0.0432 });
    expect(shown.tasks.map((t) => t.usage)).toEqual([{ vcpuSeconds: 3600, gibSeconds: 7200, estimatedUsd: 0.0432 }]);
    expect((await drover('process', 'show', 'use-p1')).stdout).toMatch(/usage\s+3600 vCPU-s, 7200 GiB-s, about \$0\.0432/);
  });
});
