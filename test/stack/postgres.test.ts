import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StackFile } from '../../config/stack-file.js';
import { MIGRATIONS } from '../../ledger/migrate.js';
import { isolatedStackEnv } from '../../stack/isolated-env.js';
import { embeddedPostgresUrl, postgresService } from '../../stack/postgres-service.js';
import { tcpProbe } from '../../stack/probes.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestStack } from '../support/test-stack.js';

/** One query on its own connection: the test reads the database as any client would. */
async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const appliedMigrations = async (url: string) => (await query<{ name: string }>(url, 'select name from kysely_migration order by name')).map((r) => r.name);
const portOf = (url: string) => Number(new URL(url).port);

/** The pids of PostgreSQL servers whose data directory is under `home`. */
function postgresServersOf(home: string): string[] {
  const { stdout } = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return stdout.split('\n').filter((line) => line.includes('/postgres -D ') && line.includes(home));
}

describe('the embedded stack\'s PostgreSQL', () => {
  it('starts with the ledger migrated, writes its URL to stack.json, and keeps the data over a restart', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-pg-stack-'));
    const env = isolatedStackEnv(home);
    const said: string[] = [];
    const say = (line: string) => said.push(line);
    let running: RunningStack | undefined;
    try {
      const first = (running = await startStack({ root: process.cwd(), env, worker: false, say }));
      const file = JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackFile;
      const url = file.database!.url;
      expect(first.env.DATABASE_URL).toBe(url);
      expect(first.config.database.url).toBe(url);
      expect(url).toMatch(/^postgres:\/\/drover:[0-9a-f]{32}@127\.0\.0\.1:\d+\/drover$/);
      expect(first.services.has('postgres')).toBe(true);
      expect(existsSync(join(home, 'postgres', 'PG_VERSION'))).toBe(true);
      expect(await appliedMigrations(url)).toEqual(Object.keys(MIGRATIONS).sort());
      expect(said).toContain(`postgres: made a new database in ${join(home, 'postgres')}`);
      expect(said).toContain(`ledger: applied ${Object.keys(MIGRATIONS).join(', ')}`);

      await query(url, `insert into jobs (job_id, latest_version) values ('feeds', 1)`);
      await query(url, `insert into job_versions (job_id, version, document) values ('feeds', 1, $1)`, [JSON.stringify({ id: 'feeds', steps: [] })]);
      running = undefined;
      await first.stop();
      expect(postgresServersOf(home)).toEqual([]);
      expect(await tcpProbe(portOf(url))()).toBe(false);

      said.length = 0;
      const second = (running = await startStack({ root: process.cwd(), env, worker: false, say }));
      const again = second.file.database!.url;
      // A free port each time (DROVER_POSTGRES_PORT=0); the role and its password are the data's.
      expect(again.replace(/:\d+\/drover$/, '')).toBe(url.replace(/:\d+\/drover$/, ''));
      // The job put before the restart (the API the stack starts has put drover's built-in jobs beside it).
      expect(await query(again, `select j.job_id, j.latest_version, v.document from jobs j join job_versions v using (job_id) where job_id = 'feeds'`)).toEqual([
        { job_id: 'feeds', latest_version: 1, document: { id: 'feeds', steps: [] } },
      ]);
      expect(said.filter((line) => /made a new database|ledger: applied/.test(line))).toEqual([]);
      running = undefined;
      await second.stop();
      expect(postgresServersOf(home)).toEqual([]);
    } finally {
      await running?.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);

  describe('with DATABASE_URL set', () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startPostgres();
    }, 120_000);
    afterAll(async () => server?.stop());

    it('starts no server, migrates that database and hands its URL on', async () => {
      const stack = await startTestStack({ env: { DATABASE_URL: server.url }, worker: false });
      try {
        expect(stack.services.has('postgres')).toBe(false);
        expect(existsSync(join(stack.home, 'postgres'))).toBe(false);
        expect(postgresServersOf(stack.home)).toEqual([]);
        expect(stack.file.database).toEqual({ url: server.url });
        expect(stack.env.DATABASE_URL).toBe(server.url);
        expect(await appliedMigrations(server.url)).toEqual(Object.keys(MIGRATIONS).sort());
      } finally {
        await stack.close();
      }
    }, 240_000);
  });
});

describe('the embedded PostgreSQL\'s setup', () => {
  it('refuses data whose password file is gone, and a data directory that holds no PostgreSQL data, naming each', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-pg-setup-'));
    try {
      mkdirSync(join(home, 'postgres'));
      expect(() => embeddedPostgresUrl(home, 5432)).toThrow(
        expect.objectContaining({ code: 'STACK_POSTGRES_SETUP', message: expect.stringContaining(`${join(home, 'postgres.password')} is missing`) }),
      );
      writeFileSync(join(home, 'postgres.password'), 'x\n');
      await expect(postgresService({ home, port: 5432, env: process.env, say: () => undefined })).rejects.toMatchObject({
        code: 'STACK_POSTGRES_SETUP',
        message: `${join(home, 'postgres')} exists but holds no PostgreSQL data (no PG_VERSION): move it away and start again`,
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('drover db migrate', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => server?.stop());

  const drover = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli', 'drover.js'), 'db', 'migrate'], { env, encoding: 'utf8' });

  it('applies the migrations to DATABASE_URL and says which, then that there is nothing to do', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-db-migrate-'));
    try {
      const env = { ...isolatedStackEnv(home), DATABASE_URL: server.url };
      const first = drover(env);
      expect({ status: first.status, stdout: first.stdout, stderr: first.stderr }).toEqual({ status: 0, stdout: `applied ${Object.keys(MIGRATIONS).join(', ')}\n`, stderr: '' });
      expect(await appliedMigrations(server.url)).toEqual(Object.keys(MIGRATIONS).sort());
      const second = drover(env);
      expect(second.status).toBe(0);
      expect(second.stdout).toMatch(/^the ledger is up to date/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('says where a database comes from when there is none', () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-db-migrate-'));
    try {
      const r = drover(isolatedStackEnv(home));
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: 'drover: no database: set DATABASE_URL or start the stack with npm start\n' });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
