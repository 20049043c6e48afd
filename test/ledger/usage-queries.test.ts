import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { putJobVersion } from '../../ledger/catalog-store.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { createProcess, recordTask } from '../../ledger/process-store.js';
import { sumUsage } from '../../ledger/usage-queries.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;

/** Processes written through the ledger's own path, then dated; tasks' seconds chosen by hand. */
const PROCESSES = [
  { id: 'p1', job: 'feeds', by: 'cli:ann', at: '2026-03-01T23:59:59.999Z', tasks: [[3600, 7200]] },
  { id: 'p2', job: 'feeds', by: 'schedule:nightly', at: '2026-03-02T00:00:00.000Z', tasks: [[1800, 3600], [900, 1800]] },
  { id: 'p3', job: 'rates', by: 'cli:ann', at: '2026-03-02T12:00:00.000Z', tasks: [[120, 240]] },
  // Outside [2026-03-01, 2026-03-03): the end is excluded, and so is anything before the start.
  { id: 'p4', job: 'rates', by: 'schedule:nightly', at: '2026-03-03T00:00:00.000Z', tasks: [[1000, 1000]] },
  { id: 'p5', job: 'feeds', by: 'cli:ann', at: '2026-02-28T23:59:59.999Z', tasks: [[5000, 5000]] },
] as const;

const from = new Date('2026-03-01T00:00:00Z');
const to = new Date('2026-03-03T00:00:00Z');

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
  for (const job of ['feeds', 'rates']) await putJobVersion(db, job, { id: job, steps: [] });
  for (const p of PROCESSES) {
    await createProcess(db, { processId: p.id, jobId: p.job, version: 1, triggeredBy: p.by, parameters: {}, tasks: p.tasks.map((_, i) => ({ name: `t${i}`, position: i })) });
    for (const [i, [vcpuSeconds, gibSeconds]] of p.tasks.entries()) await recordTask(db, { processId: p.id, attempt: 1, name: `t${i}`, status: 'SUCCEEDED', vcpuSeconds, gibSeconds });
    await db.updateTable('processes').set({ created_at: new Date(p.at) }).where('process_id', '=', p.id).execute();
  }
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

describe('usage sums over processes created in [from, to)', () => {
  it('by job', async () => {
    expect(await sumUsage(db, { from, to, groupBy: 'job' })).toEqual([
      { key: 'feeds', processes: 2, vcpuSeconds: 3600 + 1800 + 900, gibSeconds: 7200 + 3600 + 1800 },
      { key: 'rates', processes: 1, vcpuSeconds: 120, gibSeconds: 240 },
    ]);
  });

  it('by UTC day', async () => {
    expect(await sumUsage(db, { from, to, groupBy: 'day' })).toEqual([
      { key: '2026-03-01', processes: 1, vcpuSeconds: 3600, gibSeconds: 7200 },
      { key: '2026-03-02', processes: 2, vcpuSeconds: 1800 + 900 + 120, gibSeconds: 3600 + 1800 + 240 },
    ]);
  });

  it('by who started them', async () => {
    expect(await sumUsage(db, { from, to, groupBy: 'triggeredBy' })).toEqual([
      { key: 'cli:ann', processes: 2, vcpuSeconds: 3600 + 120, gibSeconds: 7200 + 240 },
      { key: 'schedule:nightly', processes: 1, vcpuSeconds: 2700, gibSeconds: 5400 },
    ]);
  });

  it('of one job, and of a range with nothing in it', async () => {
    expect(await sumUsage(db, { from, to, groupBy: 'day', jobId: 'rates' })).toEqual([{ key: '2026-03-02', processes: 1, vcpuSeconds: 120, gibSeconds: 240 }]);
    expect(await sumUsage(db, { from, to, groupBy: 'job', jobId: 'nothing' })).toEqual([]);
    expect(await sumUsage(db, { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z'), groupBy: 'job' })).toEqual([]);
    // The boundaries: p4 alone is created at 2026-03-03T00:00Z, p5 alone in the millisecond before 2026-03-01.
    expect(await sumUsage(db, { from: to, to: new Date('2026-03-03T00:00:00.001Z'), groupBy: 'job' })).toEqual([{ key: 'rates', processes: 1, vcpuSeconds: 1000, gibSeconds: 1000 }]);
    expect(await sumUsage(db, { from: new Date('2026-02-28T23:59:59.999Z'), to: from, groupBy: 'triggeredBy' })).toEqual([{ key: 'cli:ann', processes: 1, vcpuSeconds: 5000, gibSeconds: 5000 }]);
  });
});
