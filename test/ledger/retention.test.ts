/** The ledger's retention on a real PostgreSQL: what it deletes, what it keeps, and in how many batches. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import pg from 'pg';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { countPrunable, pruneLedger } from '../../ledger/retention.js';
import type { ProcessStatus } from '../../ledger/tables.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
  await sql`insert into jobs (job_id, latest_version) values ('feeds', 1)`.execute(db);
  await sql`insert into job_versions (job_id, version, document) values ('feeds', 1, '{}')`.execute(db);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

interface Fixture {
  id: string;
  status: ProcessStatus;
  /** Days before now it was made, and finished (null: it has not). */
  madeDaysAgo: number;
  finishedDaysAgo: number | null;
  /** Holds an idempotency key. */
  keyed?: boolean;
}

/** Writes the rows by hand, each process with two tasks. */
async function insert(fixtures: Fixture[]): Promise<void> {
  for (const f of fixtures) {
    await sql`
      insert into processes (process_id, job_id, version, status, triggered_by, created_at, started_at, finished_at)
      values (${f.id}, 'feeds', 1, ${f.status}, 'api:ci', now() - make_interval(days => ${f.madeDaysAgo}), now() - make_interval(days => ${f.madeDaysAgo}),
        ${f.finishedDaysAgo === null ? null : sql`now() - make_interval(days => ${f.finishedDaysAgo})`})`.execute(db);
    for (const [position, name] of ['a', 'b'].entries()) {
      await sql`insert into tasks (process_id, name, position, status, vcpu_seconds) values (${f.id}, ${name}, ${position}, ${f.finishedDaysAgo === null ? 'RUNNING' : 'SUCCEEDED'}, 1)`.execute(db);
    }
    if (f.keyed) await sql`insert into idempotency_keys (key_name, idempotency_key, process_id, request_hash) values ('ci', ${`key-${f.id}`}, ${f.id}, 'h')`.execute(db);
  }
}

const ids = async (table: 'processes' | 'tasks' | 'idempotency_keys') =>
  (await sql<{ process_id: string }>`select distinct process_id from ${sql.table(table)} order by process_id`.execute(db)).rows.map((r) => r.process_id);

const OLD_ENDED: Fixture[] = [
  { id: 'old-succeeded-1', status: 'SUCCEEDED', madeDaysAgo: 40, finishedDaysAgo: 40, keyed: true },
  { id: 'old-succeeded-2', status: 'SUCCEEDED', madeDaysAgo: 90, finishedDaysAgo: 89 },
  { id: 'old-succeeded-3', status: 'SUCCEEDED', madeDaysAgo: 31, finishedDaysAgo: 31, keyed: true },
  { id: 'old-failed-1', status: 'FAILED', madeDaysAgo: 45, finishedDaysAgo: 45 },
  { id: 'old-failed-2', status: 'FAILED', madeDaysAgo: 400, finishedDaysAgo: 400, keyed: true },
  { id: 'old-cancelled-1', status: 'CANCELLED', madeDaysAgo: 60, finishedDaysAgo: 60 },
  { id: 'old-cancelled-2', status: 'CANCELLED', madeDaysAgo: 33, finishedDaysAgo: 32 },
];
const KEPT: Fixture[] = [
  // Still someone's work, or stuck: never deleted, however old.
  { id: 'old-running', status: 'RUNNING', madeDaysAgo: 50, finishedDaysAgo: null, keyed: true },
  { id: 'old-queued', status: 'QUEUED', madeDaysAgo: 300, finishedDaysAgo: null },
  // Within the retention.
  { id: 'new-succeeded', status: 'SUCCEEDED', madeDaysAgo: 2, finishedDaysAgo: 2, keyed: true },
  { id: 'new-failed', status: 'FAILED', madeDaysAgo: 29, finishedDaysAgo: 29 },
  // Made long ago, retried, and ended within the retention.
  { id: 'old-retried', status: 'SUCCEEDED', madeDaysAgo: 70, finishedDaysAgo: 3 },
];
const sorted = (fixtures: Fixture[]) => fixtures.map((f) => f.id).sort();

beforeEach(async () => {
  await sql`truncate processes, tasks, idempotency_keys`.execute(db);
  await insert([...OLD_ENDED, ...KEPT]);
});

describe('pruneLedger', () => {
  it('deletes the processes that ended, made and finished before the retention, with their tasks and keys, in batches', async () => {
    const batches: number[] = [];
    const result = await pruneLedger(db, { days: 30, batchSize: 3, onBatch: (b) => batches.push(b.processes) });

    // 7 processes, 3 a batch.
    expect(batches).toEqual([3, 3, 1]);
    expect(result).toMatchObject({ processes: 7, tasks: 14, idempotencyKeys: 3, batches: 3 });
    expect(await ids('processes')).toEqual(sorted(KEPT));
    expect(await ids('tasks')).toEqual(sorted(KEPT));
    expect(await ids('idempotency_keys')).toEqual(['new-succeeded', 'old-running']);
    // The kept processes keep every task.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tasks`.execute(db);
    expect(rows[0]!.n).toBe(2 * KEPT.length);

    // Nothing is left to delete.
    expect(await pruneLedger(db, { days: 30 })).toMatchObject({ processes: 0, tasks: 0, idempotencyKeys: 0, batches: 0 });
  });

  it('keeps what a longer retention still keeps', async () => {
    expect(await pruneLedger(db, { days: 50, batchSize: 1 })).toMatchObject({ processes: 3, tasks: 6, idempotencyKeys: 1, batches: 3 });
    // 50 days: old-failed-2 (400), old-succeeded-2 (90) and old-cancelled-1 (60) go.
    expect(await ids('processes')).toEqual(sorted([...KEPT, ...OLD_ENDED.filter((f) => f.madeDaysAgo < 50)]));
  });

  it('counts what it would delete without deleting it', async () => {
    const counts = await countPrunable(db, { days: 30 });
    expect(counts).toMatchObject({ processes: 7, tasks: 14, idempotencyKeys: 3 });
    expect(new Date(counts.cutoff).getTime()).toBeLessThan(Date.now() - 30 * 86_400_000 + 60_000);
    expect(await ids('processes')).toEqual(sorted([...OLD_ENDED, ...KEPT]));
  });

  it('skips a process another transaction holds, and takes it in the next prune', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`select 1 from processes where process_id = 'old-failed-1' for update`);
      const held = await pruneLedger(db, { days: 30, batchSize: 2 });
      expect(held).toMatchObject({ processes: 6, tasks: 12 });
      expect(await ids('processes')).toEqual(sorted([...KEPT, { id: 'old-failed-1' } as Fixture]));
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect(await pruneLedger(db, { days: 30 })).toMatchObject({ processes: 1, tasks: 2, batches: 1 });
    expect(await ids('processes')).toEqual(sorted(KEPT));
  });

  it('refuses a retention or a batch that is not a whole number above 0', async () => {
    await expect(pruneLedger(db, { days: 0 })).rejects.toMatchObject({ code: 'LEDGER_PRUNE_OPTIONS' });
    await expect(pruneLedger(db, { days: 1.5 })).rejects.toMatchObject({ code: 'LEDGER_PRUNE_OPTIONS' });
    await expect(pruneLedger(db, { days: 30, batchSize: 0 })).rejects.toMatchObject({ code: 'LEDGER_PRUNE_OPTIONS' });
    expect(await ids('processes')).toEqual(sorted([...OLD_ENDED, ...KEPT]));
  });
});
