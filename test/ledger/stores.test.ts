import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getJobVersion, listJobs, putJobVersion } from '../../ledger/catalog-store.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { listProcesses, showProcess } from '../../ledger/process-queries.js';
import { beginAttempt, claimSlot, closeOpenTasks, createProcess, grantFreeSlots, recordProcess, recordTask, settleProcess } from '../../ledger/process-store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

const doc = (extra: Record<string, unknown> = {}) => ({ id: 'feeds', name: 'Feeds', steps: [{ name: 'a', command: ['true'] }], ...extra });

async function newProcess(processId: string, jobId = 'feeds', steps = ['a', 'b', 'c']) {
  await createProcess(db, { processId, jobId, version: 1, triggeredBy: 'cli:test', parameters: { date: '2026-12-05' }, tasks: steps.map((name, position) => ({ name, position, vcpus: 1, memoryMiB: 512 })) });
}

describe('the catalog', () => {
  it('makes a version for each change and none for the same document', async () => {
    expect(await putJobVersion(db, 'feeds', doc())).toEqual({ version: 1, created: true });
    // Key order does not make a change.
    expect(await putJobVersion(db, 'feeds', { steps: [{ command: ['true'], name: 'a' }], name: 'Feeds', id: 'feeds' })).toEqual({ version: 1, created: false });
    expect(await putJobVersion(db, 'feeds', doc({ description: 'now with words' }))).toEqual({ version: 2, created: true });
    expect((await getJobVersion(db, 'feeds', 1)).document).toEqual(doc());
    expect((await getJobVersion(db, 'feeds')).version).toBe(2);
    await expect(getJobVersion(db, 'feeds', 9)).rejects.toMatchObject({ code: 'LEDGER_NOT_FOUND' });
  });

  it('gives concurrent puts distinct versions', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => putJobVersion(db, 'racy', { id: 'racy', n })));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses to edit a built-in job', async () => {
    await putJobVersion(db, 'builtin', { id: 'builtin', builtIn: true }, { builtIn: true });
    await expect(putJobVersion(db, 'builtin', { id: 'builtin' })).rejects.toMatchObject({ code: 'LEDGER_CONFLICT' });
    const listed = await listJobs(db);
    expect(listed.find((j) => j.jobId === 'builtin')).toMatchObject({ builtIn: true, latestVersion: 1 });
    expect(listed.find((j) => j.jobId === 'feeds')).toMatchObject({ builtIn: false, latestVersion: 2, steps: 1 });
  });
});

describe('processes and tasks', () => {
  it('creates a process once, and never moves a task or a process backwards', async () => {
    await newProcess('p-1');
    await newProcess('p-1');
    await recordProcess(db, { processId: 'p-1', attempt: 1, status: 'RUNNING' });
    expect(await recordTask(db, { processId: 'p-1', attempt: 1, name: 'a', status: 'RUNNING', batchJobId: 'job-a', attempts: 1 })).toBe(true);
    expect(await recordTask(db, { processId: 'p-1', attempt: 1, name: 'a', status: 'SUCCEEDED', exitCode: 0, vcpuSeconds: 2, gibSeconds: 1 })).toBe(true);
    // A retried activity's late RUNNING does not undo the end, nor does a second end replace it.
    expect(await recordTask(db, { processId: 'p-1', attempt: 1, name: 'a', status: 'RUNNING' })).toBe(false);
    expect(await recordTask(db, { processId: 'p-1', attempt: 1, name: 'a', status: 'FAILED', exitCode: 1 })).toBe(false);
    await recordTask(db, { processId: 'p-1', attempt: 1, name: 'b', status: 'FAILED', exitCode: 137, reason: 'OutOfMemoryError', vcpuSeconds: 1.5, gibSeconds: 0.25 });
    await closeOpenTasks(db, { processId: 'p-1', attempt: 1, status: 'SKIPPED' });
    await recordProcess(db, { processId: 'p-1', attempt: 1, status: 'FAILED', failedTask: 'b', reason: 'OutOfMemoryError' });
    expect(await recordProcess(db, { processId: 'p-1', attempt: 1, status: 'SUCCEEDED' })).toBe(false);

    const shown = await showProcess(db, 'p-1');
    expect(shown).toMatchObject({ status: 'FAILED', attempt: 1, failedTask: 'b', triggeredBy: 'cli:test', parameters: { date: '2026-12-05' }, usage: { vcpuSeconds: 3.5, gibSeconds: 1.25 } });
    expect(shown.tasks!.map((t) => [t.name, t.status, t.exitCode])).toEqual([['a', 'SUCCEEDED', 0], ['b', 'FAILED', 137], ['c', 'SKIPPED', null]]);
    expect(shown.finishedAt).not.toBeNull();
  });

  it('starts a retry from the failed task, keeps what succeeded, and ignores the old attempt', async () => {
    await beginAttempt(db, { processId: 'p-1', attempt: 2, fromPosition: 1 });
    await beginAttempt(db, { processId: 'p-1', attempt: 2, fromPosition: 1 });
    let shown = await showProcess(db, 'p-1');
    expect(shown).toMatchObject({ status: 'QUEUED', attempt: 2, failedTask: null, reason: null, finishedAt: null });
    expect(shown.tasks!.map((t) => [t.name, t.status])).toEqual([['a', 'SUCCEEDED'], ['b', 'PENDING'], ['c', 'PENDING']]);
    // Attempt 1's late write is ignored.
    expect(await recordTask(db, { processId: 'p-1', attempt: 1, name: 'b', status: 'FAILED' })).toBe(false);
    expect(await recordTask(db, { processId: 'p-1', attempt: 2, name: 'b', status: 'SUCCEEDED', exitCode: 0 })).toBe(true);
    shown = await showProcess(db, 'p-1');
    expect(shown.tasks!.find((t) => t.name === 'b')).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
  });

  it('adds a task the process learns of as it runs', async () => {
    await newProcess('p-dyn', 'feeds', ['validate']);
    await recordTask(db, { processId: 'p-dyn', attempt: 1, name: 'scrape-1', position: 5, status: 'RUNNING', detail: { written: 10 } });
    await recordTask(db, { processId: 'p-dyn', attempt: 1, name: 'scrape-1', position: 5, status: 'SUCCEEDED', detail: { written: 20 } });
    await recordTask(db, { processId: 'p-dyn', attempt: 1, name: 'scrape-1', position: 5, status: 'RUNNING', detail: { written: 15 } });
    const shown = await showProcess(db, 'p-dyn');
    expect(shown.tasks!.map((t) => [t.name, t.status, t.detail])).toEqual([['validate', 'PENDING', null], ['scrape-1', 'SUCCEEDED', { written: 20 }]]);
  });

  it('lets at most max processes of a job run, first in first out', async () => {
    for (const id of ['q-1', 'q-2', 'q-3']) await newProcess(id, 'feeds', ['a']);
    const claim = (processId: string) => claimSlot(db, { processId, jobId: 'feeds', attempt: 1, max: 1 });
    // p-dyn and p-1 of this job are still QUEUED: settle them first.
    await settleProcess(db, { processId: 'p-dyn', status: 'CANCELLED', reason: 'test' });
    await recordProcess(db, { processId: 'p-1', attempt: 2, status: 'SUCCEEDED' });
    expect(await claim('q-2')).toBe(false);
    expect(await claim('q-1')).toBe(true);
    expect(await claim('q-1')).toBe(true);
    expect(await claim('q-3')).toBe(false);
    expect(await claim('q-2')).toBe(false);
    await recordProcess(db, { processId: 'q-1', attempt: 1, status: 'SUCCEEDED' });
    expect(await claim('q-3')).toBe(false);
    expect(await claim('q-2')).toBe(true);
    const listed = await listProcesses(db, { jobId: 'feeds', status: 'QUEUED' });
    expect(listed.map((p) => p.processId)).toEqual(['q-3']);
  });

  it('hands free slots to the oldest queued processes once, however many ask at the same moment', async () => {
    // Job "herd", max 3: one running, five queued in this order.
    await putJobVersion(db, 'herd', { ...doc(), id: 'herd', name: 'Herd' });
    await newProcess('h-0', 'herd', ['a']);
    expect(await claimSlot(db, { processId: 'h-0', jobId: 'herd', attempt: 1, max: 3 })).toBe(true);
    for (const id of ['h-1', 'h-2', 'h-3', 'h-4', 'h-5']) await newProcess(id, 'herd', ['a']);
    // Two slots are free: four ending processes asking at once hand out those two, to the two oldest.
    const granted = (await Promise.all(Array.from({ length: 4 }, () => grantFreeSlots(db, { jobId: 'herd', max: 3 })))).flat();
    expect(granted.sort()).toEqual(['h-1', 'h-2']);
    expect(await grantFreeSlots(db, { jobId: 'herd', max: 3 })).toEqual([]);
    // A granted process's own claim finds its slot taken for it; the next in line still waits.
    expect(await claimSlot(db, { processId: 'h-1', jobId: 'herd', attempt: 1, max: 3 })).toBe(true);
    expect(await claimSlot(db, { processId: 'h-3', jobId: 'herd', attempt: 1, max: 3 })).toBe(false);
    const statuses = async () => (await listProcesses(db, { jobId: 'herd' })).map((p) => [p.processId, p.status]).sort();
    expect(await statuses()).toEqual([['h-0', 'RUNNING'], ['h-1', 'RUNNING'], ['h-2', 'RUNNING'], ['h-3', 'QUEUED'], ['h-4', 'QUEUED'], ['h-5', 'QUEUED']]);
    // One ends: its slot goes to the next in line, h-3.
    await recordProcess(db, { processId: 'h-0', attempt: 1, status: 'SUCCEEDED' });
    expect(await grantFreeSlots(db, { jobId: 'herd', max: 3 })).toEqual(['h-3']);
    expect((await listProcesses(db, { jobId: 'herd', status: 'QUEUED' })).map((p) => p.processId).sort()).toEqual(['h-4', 'h-5']);
  });

  it('settles a process whose workflow ended without a word, with its open tasks', async () => {
    await newProcess('s-1', 'feeds', ['a', 'b']);
    await recordTask(db, { processId: 's-1', attempt: 1, name: 'a', status: 'RUNNING' });
    expect(await settleProcess(db, { processId: 's-1', status: 'CANCELLED', reason: 'terminated' })).toBe(true);
    expect(await settleProcess(db, { processId: 's-1', status: 'FAILED', reason: 'again' })).toBe(false);
    const shown = await showProcess(db, 's-1');
    expect(shown).toMatchObject({ status: 'CANCELLED', reason: 'terminated' });
    expect(shown.tasks!.map((t) => t.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });
});
