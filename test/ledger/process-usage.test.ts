import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migrator, sql, type Kysely } from 'kysely';
import { putJobVersion } from '../../ledger/catalog-store.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { MIGRATIONS, migrateToLatest } from '../../ledger/migrate.js';
import { listProcesses, showProcess } from '../../ledger/process-queries.js';
import { beginAttempt, createProcess, recordTask } from '../../ledger/process-store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url, { maxConnections: 20 });
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

/** The process row's usage and its tasks' sum, read straight from the tables. */
async function rowAndSum(processId: string) {
  const { rows } = await sql<{ row_vcpu: number; row_gib: number; sum_vcpu: number; sum_gib: number }>`
    select p.vcpu_seconds as row_vcpu, p.gib_seconds as row_gib,
      (select coalesce(sum(vcpu_seconds), 0) from tasks where process_id = p.process_id) as sum_vcpu,
      (select coalesce(sum(gib_seconds), 0) from tasks where process_id = p.process_id) as sum_gib
    from processes p where p.process_id = ${processId}`.execute(db);
  return rows[0];
}

const steps = (n: number) => Array.from({ length: n }, (_, position) => ({ name: `s${position}`, position, vcpus: 1, memoryMiB: 1024 }));

describe("a process's usage on its row", () => {
  it('is backfilled from the tasks written before the migration', async () => {
    const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: { getMigrations: async () => MIGRATIONS } });
    expect((await migrator.migrateTo('0004-api-keys')).error).toBeUndefined();
    await sql`insert into jobs (job_id, latest_version) values ('old', 1)`.execute(db);
    await sql`insert into job_versions (job_id, version, document) values ('old', 1, '{}')`.execute(db);
    await sql`insert into processes (process_id, job_id, version, status, triggered_by) values ('old-1', 'old', 1, 'SUCCEEDED', 'cli:a'), ('old-2', 'old', 1, 'SUCCEEDED', 'cli:a')`.execute(db);
    await sql`insert into tasks (process_id, name, position, status, vcpu_seconds, gib_seconds) values
      ('old-1', 'a', 0, 'SUCCEEDED', 2.5, 1.25), ('old-1', 'b', 1, 'SUCCEEDED', 4, 8)`.execute(db);
    expect(await migrateToLatest(db)).toContain('0005-process-usage');
    expect(await rowAndSum('old-1')).toEqual({ row_vcpu: 6.5, row_gib: 9.25, sum_vcpu: 6.5, sum_gib: 9.25 });
    expect(await rowAndSum('old-2')).toEqual({ row_vcpu: 0, row_gib: 0, sum_vcpu: 0, sum_gib: 0 });
  });

  it('follows every write of a task, and a retry that clears tasks', async () => {
    await putJobVersion(db, 'feeds', { id: 'feeds', steps: [] });
    await createProcess(db, { processId: 'r-1', jobId: 'feeds', version: 1, triggeredBy: 'cli:test', parameters: {}, tasks: steps(3) });
    await recordTask(db, { processId: 'r-1', attempt: 1, name: 's0', status: 'SUCCEEDED', vcpuSeconds: 10, gibSeconds: 20 });
    await recordTask(db, { processId: 'r-1', attempt: 1, name: 's1', status: 'FAILED', vcpuSeconds: 3, gibSeconds: 6 });
    // A write from an attempt that is not the task's changes nothing, the sum included.
    expect(await recordTask(db, { processId: 'r-1', attempt: 2, name: 's2', status: 'FAILED', vcpuSeconds: 100, gibSeconds: 100 })).toBe(false);
    expect(await rowAndSum('r-1')).toEqual({ row_vcpu: 13, row_gib: 26, sum_vcpu: 13, sum_gib: 26 });

    // The retry from s1 clears s1's usage and keeps s0's.
    await beginAttempt(db, { processId: 'r-1', attempt: 2, fromPosition: 1 });
    expect(await rowAndSum('r-1')).toEqual({ row_vcpu: 10, row_gib: 20, sum_vcpu: 10, sum_gib: 20 });
    await recordTask(db, { processId: 'r-1', attempt: 2, name: 's1', status: 'SUCCEEDED', vcpuSeconds: 4, gibSeconds: 8 });
    await recordTask(db, { processId: 'r-1', attempt: 2, name: 's2', status: 'SUCCEEDED', vcpuSeconds: 0.5, gibSeconds: 0.25 });
    // A task the process learns of as it runs counts too.
    await recordTask(db, { processId: 'r-1', attempt: 2, name: 'scrape-1', position: 9, status: 'SUCCEEDED', vcpuSeconds: 1, gibSeconds: 2 });
    expect(await rowAndSum('r-1')).toEqual({ row_vcpu: 15.5, row_gib: 30.25, sum_vcpu: 15.5, sum_gib: 30.25 });
    expect((await showProcess(db, 'r-1')).usage).toEqual({ vcpuSeconds: 15.5, gibSeconds: 30.25 });
    expect((await listProcesses(db, { jobId: 'feeds' })).find((p) => p.processId === 'r-1')?.usage).toEqual({ vcpuSeconds: 15.5, gibSeconds: 30.25 });
  });

  it('loses no write when many tasks of one process end at once', async () => {
    const n = 40;
    await createProcess(db, { processId: 'c-1', jobId: 'feeds', version: 1, triggeredBy: 'cli:test', parameters: {}, tasks: steps(n) });
    // Task i uses i + 1 vCPU-seconds and twice that in GiB-seconds: sums n(n+1)/2 and n(n+1).
    await Promise.all(
      Array.from({ length: n }, (_, i) => recordTask(db, { processId: 'c-1', attempt: 1, name: `s${i}`, status: 'SUCCEEDED', vcpuSeconds: i + 1, gibSeconds: 2 * (i + 1) })),
    );
    // Added tasks (a credit check's chunks), written at once as well.
    await Promise.all(
      Array.from({ length: n }, (_, i) => recordTask(db, { processId: 'c-1', attempt: 1, name: `scrape-${i}`, position: n + i, status: 'SUCCEEDED', vcpuSeconds: 1, gibSeconds: 1 })),
    );
    expect(await rowAndSum('c-1')).toEqual({ row_vcpu: 820 + 40, row_gib: 1640 + 40, sum_vcpu: 860, sum_gib: 1680 });
  });
});
