import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Kysely<unknown>;

beforeAll(async () => {
  server = await startPostgres();
  db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.url, max: 2 }) }) });
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

describe('the ledger on a real PostgreSQL', () => {
  it('applies its migrations once, and again finds nothing to do', async () => {
    expect(await migrateToLatest(db)).toEqual(['0001-catalog', '0002-task-runs', '0003-idempotency', '0004-api-keys', '0005-process-usage', '0006-ledger-indexes', '0007-usage-days']);
    expect(await migrateToLatest(db)).toEqual([]);
    const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db);
    expect(rows.map((r) => r.table_name)).toEqual(['api_keys', 'audit', 'idempotency_keys', 'job_versions', 'jobs', 'processes', 'tasks', 'usage_days']);
  });

  it('refuses a state no process or task can be in', async () => {
    await sql`insert into jobs (job_id, latest_version) values ('j', 1)`.execute(db);
    await sql`insert into job_versions (job_id, version, document) values ('j', 1, '{}')`.execute(db);
    await sql`insert into processes (process_id, job_id, version, status, triggered_by) values ('p1', 'j', 1, 'RUNNING', 'cli:root')`.execute(db);
    await expect(sql`insert into processes (process_id, job_id, version, status, triggered_by) values ('p2', 'j', 1, 'DONE', 'cli:root')`.execute(db)).rejects.toThrow(/processes_status_check/);
    await expect(sql`insert into tasks (process_id, name, position, status) values ('p1', 'a', 0, 'WAITING')`.execute(db)).rejects.toThrow(/tasks_status_check/);
    // A process names a version that exists.
    await expect(sql`insert into processes (process_id, job_id, version, status, triggered_by) values ('p3', 'j', 2, 'QUEUED', 'cli:root')`.execute(db)).rejects.toThrow(/processes_version_fk/);
  });
});
