/** `drover db prune` as a user runs it, against a real PostgreSQL named by DATABASE_URL. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;
// A home without a stack.json, so the CLI reads DATABASE_URL and nothing else.
const home = mkdtempSync(join(tmpdir(), 'drover-db-prune-cli-'));

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
  await sql`insert into jobs (job_id, latest_version) values ('feeds', 1)`.execute(db);
  await sql`insert into job_versions (job_id, version, document) values ('feeds', 1, '{}')`.execute(db);
  // Made and ended 10, 20 and 40 days ago, with a task each; and one running for 40 days.
  for (const [id, days, status] of [['p10', 10, 'SUCCEEDED'], ['p20', 20, 'FAILED'], ['p40', 40, 'SUCCEEDED'], ['r40', 40, 'RUNNING']] as const) {
    const finished = status === 'RUNNING' ? null : sql`now() - make_interval(days => ${days})`;
    await sql`insert into processes (process_id, job_id, version, status, triggered_by, created_at, finished_at)
      values (${id}, 'feeds', 1, ${status}, 'cli:test', now() - make_interval(days => ${days}), ${finished})`.execute(db);
    await sql`insert into tasks (process_id, name, position, status) values (${id}, 'a', 0, 'SUCCEEDED')`.execute(db);
  }
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function drover(env: Record<string, string>, ...args: string[]): Promise<Ran> {
  const all = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: server.url, DROVER_HOME: home, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'dist', 'cli', 'drover.js'), ...args], { env: all, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const left = async () => (await sql<{ process_id: string }>`select process_id from processes order by process_id`.execute(db)).rows.map((r) => r.process_id);

describe('drover db prune', () => {
  it('needs a retention: --days or DROVER_LEDGER_RETENTION_DAYS', async () => {
    const ran = await drover({}, 'db', 'prune');
    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('drover: how many days to keep? Give --days, or set DROVER_LEDGER_RETENTION_DAYS');
    expect((await drover({}, 'db', 'prune', '--days', '0')).status).toBe(2);
  });

  it('says what it would delete with --dry-run, and deletes nothing', async () => {
    const ran = await drover({ DROVER_LEDGER_RETENTION_DAYS: '15' }, 'db', 'prune', '--dry-run');
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toMatch(/^would delete 2 processes that ended, made and finished before \S+ \(15 days ago\), with 2 tasks and 0 idempotency keys\n$/);
    expect(await left()).toEqual(['p10', 'p20', 'p40', 'r40']);
  });

  it('deletes by --days over the setting, then by the setting', async () => {
    const byFlag = await drover({ DROVER_LEDGER_RETENTION_DAYS: '15' }, 'db', 'prune', '--days', '30');
    expect(byFlag.stdout).toMatch(/^deleted 1 process that ended, made and finished before \S+ \(30 days ago\), with 1 task and 0 idempotency keys, in 1 batch \(the longest \d+ ms\)\n$/);
    expect(await left()).toEqual(['p10', 'p20', 'r40']);
    const bySetting = await drover({ DROVER_LEDGER_RETENTION_DAYS: '15' }, 'db', 'prune');
    expect(bySetting.stdout).toMatch(/^deleted 1 process that ended, made and finished before \S+ \(15 days ago\), with 1 task/);
    expect(await left()).toEqual(['p10', 'r40']);
  });
});
