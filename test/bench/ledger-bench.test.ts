/** A small `npm run bench -- ledger`: its last line is one JSON object with every figure, well formed (timings are not checked). */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const QUERIES = [
  'by id', 'newest 50', 'newest 50 of a job', 'newest 50 of a job (CLI)', 'status FAILED', 'status RUNNING', 'job and status FAILED', 'by triggeredBy',
  'a day', 'a month', "a job's month", 'usage by job, a month', 'usage by day, a month', 'usage by triggeredBy, a month',
  'second page', 'second page of a job', 'second page of a triggeredBy', 'slot check of a job', 'usage by job, a month not from midnight',
];
const LATENCY = ['samples', 'p50', 'p95', 'p99', 'max'];

const finite = (name: string, value: unknown) => expect([name, typeof value === 'number' && Number.isFinite(value)]).toEqual([name, true]);

describe('npm run bench -- ledger', () => {
  it('fills a ledger, times its queries and a prune, and ends with one JSON line of the figures', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'bench', 'bench.js'), 'ledger', '--processes', '2000', '--samples', '10', '--prune-days', '335'], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\*\*2,000 processes\*\*, \d[\d,]* tasks: loaded in /);
    expect(lines).toContain('| table | rows | table MB | indexes MB |');
    const f = JSON.parse(lines.at(-1)!) as Record<string, unknown>;

    expect(Object.keys(f).sort()).toEqual(['loadAverage', 'loadSeconds', 'processes', 'processesPerSecond', 'prune', 'queries', 'samples', 'sizes', 'tasksPerProcess', 'vacuumAnalyzeSeconds', 'worstP99Ms'].sort());
    expect([f.processes, f.tasksPerProcess, f.samples]).toEqual([2000, 3, 10]);
    for (const name of ['loadSeconds', 'processesPerSecond', 'vacuumAnalyzeSeconds', 'worstP99Ms']) finite(name, f[name]);

    // The fill's own arithmetic: 2 to 4 tasks a process by its number (2000 / 3 of each, the remainder 2 and 3).
    const sizes = f.sizes as Record<string, { rows: number; tableMb: number; indexesMb: Record<string, number> }>;
    expect(Object.keys(sizes).sort()).toEqual(['idempotency_keys', 'processes', 'tasks']);
    expect(sizes.processes!.rows).toBe(2000);
    expect(sizes.tasks!.rows).toBe(667 * 2 + 667 * 3 + 666 * 4);
    expect(Object.keys(sizes.processes!.indexesMb).sort()).toEqual(['processes_created', 'processes_job_created', 'processes_pkey', 'processes_status_created', 'processes_triggered_by_created']);

    const queries = f.queries as Array<Record<string, unknown>>;
    expect(queries.map((q) => q.name)).toEqual(QUERIES);
    for (const q of queries) {
      for (const key of [...LATENCY, 'meanRows']) finite(`${String(q.name)} ${key}`, q[key]);
      expect(q.samples).toBe(10);
    }
    // Every list answers a full page of 50 but the RUNNING ones (the last 20 minutes' few).
    expect(queries.find((q) => q.name === 'newest 50')!.meanRows).toBe(50);

    const prune = f.prune as Record<string, unknown>;
    expect(prune.days).toBe(335);
    for (const name of ['processes', 'tasks', 'idempotencyKeys', 'batches', 'seconds', 'processesPerSecond']) finite(name, prune[name]);
    // 30 days of 365: about 164 of 2000 processes, one batch.
    expect(prune.processes as number).toBeGreaterThan(100);
    expect(prune.processes as number).toBeLessThan(250);
    expect(prune.batches).toBe(1);
    for (const key of LATENCY) finite(`batchMs ${key}`, (prune.batchMs as Record<string, unknown>)[key]);
  }, 300_000);
});
