/**
 * The daily usage rollup (migrations/0007-usage-days.ts) against a GROUP BY over the processes
 * after every kind of write, and the usage sums over ranges that cut days in two against the
 * sums over the processes alone, both computed here in SQL of the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Migrator, sql, type Kysely } from 'kysely';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { MIGRATIONS, migrateToLatest } from '../../ledger/migrate.js';
import { beginAttempt, createProcess, recordProcess, recordTask } from '../../ledger/process-store.js';
import { pruneLedger } from '../../ledger/retention.js';
import { sumUsage, type UsageGroupBy } from '../../ledger/usage-queries.js';
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

interface DayRow {
  day: string;
  job_id: string;
  triggered_by: string;
  processes: number;
  vcpu_seconds: number;
  gib_seconds: number;
}

/** The rollup as stored, and what it should hold: the processes grouped by UTC day, job and caller. */
const rollup = async () =>
  (await sql<DayRow>`select day::text as day, job_id, triggered_by, processes, vcpu_seconds, gib_seconds from usage_days order by 1, 2, 3`.execute(db)).rows;
const grouped = async () =>
  (
    await sql<DayRow>`
      select (created_at at time zone 'UTC')::date::text as day, job_id, triggered_by, count(*)::int as processes, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds
      from processes group by 1, 2, 3 order by 1, 2, 3`.execute(db)
  ).rows;

const steps = (n: number) => Array.from({ length: n }, (_, position) => ({ name: `s${position}`, position, vcpus: 1, memoryMiB: 1024 }));
const newProcess = (processId: string, jobId: string, triggeredBy: string, tasks = 2) => createProcess(db, { processId, jobId, version: 1, triggeredBy, parameters: {}, tasks: steps(tasks) });
const moveTo = (processId: string, at: string) => db.updateTable('processes').set({ created_at: new Date(at) }).where('process_id', '=', processId).execute();

describe('the daily usage rollup', () => {
  it('is backfilled from the processes there were before the migration', async () => {
    const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: { getMigrations: async () => MIGRATIONS } });
    expect((await migrator.migrateTo('0006-ledger-indexes')).error).toBeUndefined();
    await sql`insert into jobs (job_id, latest_version) values ('feeds', 1), ('rates', 1)`.execute(db);
    await sql`insert into job_versions (job_id, version, document) values ('feeds', 1, '{}'), ('rates', 1, '{}')`.execute(db);
    await sql`
      insert into processes (process_id, job_id, version, status, triggered_by, created_at, finished_at, vcpu_seconds, gib_seconds) values
        ('old-1', 'feeds', 1, 'SUCCEEDED', 'cli:a', '2026-02-01T23:59:59.999Z', '2026-02-02T00:10:00Z', 2.5, 1.25),
        ('old-2', 'feeds', 1, 'SUCCEEDED', 'cli:a', '2026-02-01T00:00:00Z', '2026-02-01T00:10:00Z', 4, 8),
        ('old-3', 'feeds', 1, 'FAILED', 'cli:a', '2026-02-02T00:00:00Z', '2026-02-02T00:10:00Z', 1, 1),
        ('old-4', 'rates', 1, 'SUCCEEDED', 'api:ci', '2026-02-01T12:00:00Z', '2026-02-01T12:10:00Z', 0.5, 0.75)`.execute(db);
    expect(await migrateToLatest(db)).toEqual(['0007-usage-days']);
    expect(await rollup()).toEqual([
      { day: '2026-02-01', job_id: 'feeds', triggered_by: 'cli:a', processes: 2, vcpu_seconds: 6.5, gib_seconds: 9.25 },
      { day: '2026-02-01', job_id: 'rates', triggered_by: 'api:ci', processes: 1, vcpu_seconds: 0.5, gib_seconds: 0.75 },
      { day: '2026-02-02', job_id: 'feeds', triggered_by: 'cli:a', processes: 1, vcpu_seconds: 1, gib_seconds: 1 },
    ]);
  });

  it('equals the processes grouped by day after new processes, task usage, a retry, concurrent writes and a prune', async () => {
    // New processes on two days (made now, then dated as the usage fixtures date them), of two jobs and two callers.
    await newProcess('a-1', 'feeds', 'cli:ann');
    await newProcess('a-2', 'feeds', 'cli:ann');
    await newProcess('a-3', 'rates', 'schedule:nightly', 3);
    await newProcess('b-1', 'feeds', 'cli:ann');
    await moveTo('a-1', '2026-03-01T10:00:00Z');
    await moveTo('a-2', '2026-03-01T23:59:59.999Z');
    await moveTo('a-3', '2026-03-01T00:00:00Z');
    await moveTo('b-1', '2026-03-02T00:00:00Z');
    // A creation repeated (an activity retried) adds no process.
    await newProcess('a-1', 'feeds', 'cli:ann');
    expect(await rollup()).toEqual(await grouped());

    await recordTask(db, { processId: 'a-1', attempt: 1, name: 's0', status: 'SUCCEEDED', vcpuSeconds: 10, gibSeconds: 20 });
    await recordTask(db, { processId: 'a-1', attempt: 1, name: 's1', status: 'FAILED', vcpuSeconds: 3, gibSeconds: 6 });
    await recordProcess(db, { processId: 'a-1', attempt: 1, status: 'FAILED', failedTask: 's1' });
    await recordTask(db, { processId: 'a-2', attempt: 1, name: 's0', status: 'RUNNING', vcpuSeconds: 0.25, gibSeconds: 0.5 });
    await recordTask(db, { processId: 'b-1', attempt: 1, name: 's0', status: 'SUCCEEDED', vcpuSeconds: 7.5, gibSeconds: 15 });
    // A write from another attempt changes nothing, the rollup included.
    expect(await recordTask(db, { processId: 'a-3', attempt: 2, name: 's0', status: 'SUCCEEDED', vcpuSeconds: 100, gibSeconds: 100 })).toBe(false);
    expect(await rollup()).toEqual(await grouped());

    // The retry from s1 clears s1's usage and keeps s0's; then s1 runs again.
    await beginAttempt(db, { processId: 'a-1', attempt: 2, fromPosition: 1 });
    expect(await rollup()).toEqual(await grouped());
    await recordTask(db, { processId: 'a-1', attempt: 2, name: 's1', status: 'SUCCEEDED', vcpuSeconds: 4, gibSeconds: 8 });
    await recordProcess(db, { processId: 'a-1', attempt: 2, status: 'SUCCEEDED' });

    // Forty tasks of one process ending at once, forty more it learns of as it runs, and twenty
    // processes of the same day, job and caller made at once: no write is lost.
    const n = 40;
    await Promise.all([
      ...Array.from({ length: n }, (_, i) => recordTask(db, { processId: 'a-3', attempt: 1, name: `x${i}`, position: 3 + i, status: 'SUCCEEDED', vcpuSeconds: i + 1, gibSeconds: 2 * (i + 1) })),
      ...Array.from({ length: 20 }, (_, i) => newProcess(`c-${i}`, 'rates', 'schedule:nightly')),
    ]);
    await Promise.all(Array.from({ length: 3 }, (_, i) => recordTask(db, { processId: 'a-3', attempt: 1, name: `s${i}`, status: 'SUCCEEDED', vcpuSeconds: 0.5, gibSeconds: 0.25 })));
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordTask(db, { processId: `c-${i}`, attempt: 1, name: 's0', status: 'SUCCEEDED', vcpuSeconds: i, gibSeconds: 1 })));
    await recordProcess(db, { processId: 'a-3', attempt: 1, status: 'SUCCEEDED' });
    const rows = await rollup();
    expect(rows).toEqual(await grouped());
    expect(rows.find((r) => r.day === '2026-03-01' && r.job_id === 'rates')).toEqual({
      day: '2026-03-01',
      job_id: 'rates',
      triggered_by: 'schedule:nightly',
      processes: 1,
      vcpu_seconds: (n * (n + 1)) / 2 + 1.5,
      gib_seconds: n * (n + 1) + 0.75,
    });

    // A prune of everything ended (a-1, a-3 and the old ones): a-2 still runs, b-1 and the c's
    // are QUEUED. 2026-02's keys and 2026-03-01's rates row go; a-2 alone is left of 2026-03-01's feeds.
    const result = await pruneLedger(db, { days: 1, now: new Date(Date.now() + 2 * 86_400_000), batchSize: 2 });
    expect(result.processes).toBe(6);
    const left = await rollup();
    expect(left).toEqual(await grouped());
    expect(left.map((r) => `${r.day} ${r.job_id} ${r.triggered_by} ${r.processes}`)).toEqual([
      '2026-03-01 feeds cli:ann 1',
      '2026-03-02 feeds cli:ann 1',
      `${new Date().toISOString().slice(0, 10)} rates schedule:nightly 20`,
    ]);
    // The sums over the pruned range are those of the processes kept.
    expect(await sumUsage(db, { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z'), groupBy: 'job' })).toEqual([
      { key: 'feeds', processes: 2, vcpuSeconds: 0.25 + 7.5, gibSeconds: 0.5 + 15 },
    ]);
  });
});

/** [from, to) over the processes alone, as sumUsage summed them before the rollup. */
async function oracle(from: Date, to: Date, groupBy: UsageGroupBy, jobId?: string) {
  const key = { job: sql`job_id`, day: sql`to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD')`, triggeredBy: sql`triggered_by` }[groupBy];
  const { rows } = await sql<{ key: string; processes: number; vcpu: number; gib: number }>`
    select ${key} as key, count(*)::int as processes, sum(vcpu_seconds) as vcpu, sum(gib_seconds) as gib from processes
    where created_at >= ${from} and created_at < ${to} and (${jobId ?? null}::text is null or job_id = ${jobId ?? null})
    group by 1 order by ${key} collate "C"`.execute(db);
  return rows.map((r) => ({ key: r.key, processes: r.processes, vcpuSeconds: r.vcpu, gibSeconds: r.gib }));
}

describe('the usage sums over a range that cuts days in two', () => {
  beforeAll(async () => {
    // Every six hours from 2026-04-01 to 2026-04-06, and on the millisecond either side of each
    // midnight: three jobs, three callers, usage in quarters (summed exactly in any order).
    const at: string[] = [];
    for (let d = 1; d <= 6; d++) {
      for (const h of ['00:00:00.000', '05:59:59.999', '06:00:00.000', '12:00:00.000', '18:30:00.000', '23:59:59.999']) at.push(`2026-04-0${d}T${h}Z`);
    }
    const jobs = ['feeds', 'rates', 'feeds'];
    const callers = ['cli:ann', 'api:ci', 'schedule:nightly', 'cli:bo'];
    await sql`
      insert into processes (process_id, job_id, version, status, triggered_by, created_at, vcpu_seconds, gib_seconds)
      select 'e-' || i, (${jobs}::text[])[1 + i % 3], 1, 'SUCCEEDED', (${callers}::text[])[1 + i % 4], at, 0.25 * (i % 7), 0.5 * (i % 5)
      from unnest(${at}::timestamptz[]) with ordinality as t(at, i)`.execute(db);
    expect(await rollup()).toEqual(await grouped());
  });

  const RANGES: Array<[string, string]> = [
    ['2026-04-01T06:00:00Z', '2026-04-05T18:30:00Z'], // partial days at both ends
    ['2026-04-01T05:59:59.999Z', '2026-04-06T00:00:00Z'], // a partial first day, a midnight end
    ['2026-04-02T00:00:00Z', '2026-04-04T12:00:00.001Z'], // a midnight start, a partial last day
    ['2026-04-02T00:00:00Z', '2026-04-05T00:00:00Z'], // whole days only
    ['2026-04-03T06:00:00Z', '2026-04-03T23:59:59.999Z'], // within one day
    ['2026-04-03T12:00:00Z', '2026-04-04T12:00:00Z'], // across one midnight, no whole day
    ['2026-04-03T23:59:59.999Z', '2026-04-04T00:00:00.001Z'], // the two milliseconds around a midnight
  ];

  it.each(RANGES)('from %s to %s equal the sums over the processes', async (fromText, toText) => {
    const from = new Date(fromText);
    const to = new Date(toText);
    for (const groupBy of ['job', 'day', 'triggeredBy'] as const) {
      const expected = await oracle(from, to, groupBy);
      expect(expected.length).toBeGreaterThan(0);
      expect(await sumUsage(db, { from, to, groupBy })).toEqual(expected);
      expect(await sumUsage(db, { from, to, groupBy, jobId: 'rates' })).toEqual(await oracle(from, to, groupBy, 'rates'));
    }
  });
});
