import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SPREADS = [
  'fireLatencyMs', 'fireToFirstTaskSeconds', 'fireToFirstTaskUnqueuedSeconds', 'slotToFirstTaskSeconds',
  'betweenStepsSeconds', 'slotHandoverSeconds', 'getProcessMs', 'listRunningMs',
];
const NUMBERS = ['processes', 'concurrency', 'steps', 'stepSeconds', 'lost', 'duplicated', 'wallSeconds', 'idealSeconds', 'ratioToIdeal', 'floorSeconds', 'ratioToFloor', 'fireSeconds', 'peakRunning'];
const OBJECTS = ['settings', 'statuses', 'peakMemoryMb', 'historyEvents', 'batchCalls', 'ledgerRowsPerProcess', 'cpuSeconds'];

describe('npm run bench -- catalog', () => {
  it('ends with one JSON line holding every figure of the run', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'bench', 'bench.js'), 'catalog', '--processes', '20', '--concurrency', '10', '--steps', '2', '--step-seconds', '1'], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\| processes \| succeeded \| wall s \| ideal s \|/);
    expect(lines[2]).toMatch(/^\| 20 \| 20 \| /);
    const figures = JSON.parse(lines.at(-1)!) as Record<string, unknown>;

    expect(Object.keys(figures).sort()).toEqual([...NUMBERS, ...SPREADS, ...OBJECTS].sort());
    for (const name of NUMBERS) expect([name, Number.isFinite(figures[name])]).toEqual([name, true]);
    for (const name of SPREADS) {
      const spread = figures[name] as Record<string, unknown>;
      expect([name, Object.keys(spread).sort()]).toEqual([name, ['count', 'max', 'p50', 'p95', 'p99']]);
      for (const [key, value] of Object.entries(spread)) expect([name, key, Number.isFinite(value)]).toEqual([name, key, true]);
      expect([name, spread.p50 as number <= (spread.p99 as number)]).toEqual([name, true]);
    }

    // Every process fired ran to its end, once: the figures are those of a whole run.
    expect([figures.processes, figures.concurrency, figures.steps, figures.stepSeconds]).toEqual([20, 10, 2, 1]);
    expect(figures.statuses).toEqual({ SUCCEEDED: 20 });
    expect([figures.lost, figures.duplicated]).toEqual([0, 0]);
    expect(figures.idealSeconds).toBe((20 * 2 * 1) / 10);
    expect(figures.floorSeconds).toBe(4);
    expect(figures.peakRunning as number).toBeGreaterThanOrEqual(1);
    // maxConcurrentProcesses is the concurrency: never more at once.
    expect(figures.peakRunning as number).toBeLessThanOrEqual(10);
    expect((figures.fireLatencyMs as { count: number }).count).toBe(20);
    expect((figures.slotToFirstTaskSeconds as { count: number }).count).toBe(20);
    // Two steps a process: one gap between them each.
    expect((figures.betweenStepsSeconds as { count: number }).count).toBe(20);
    expect(figures.settings).toEqual({ DROVER_BATCH_VCPUS: '10', DROVER_API_RATE_PER_MINUTE: '660' });

    const memory = figures.peakMemoryMb as Record<string, number>;
    for (const name of ['worker', 'api', 'postgres']) expect([name, memory[name]! > 0]).toEqual([name, true]);
    const history = figures.historyEvents as Record<string, number>;
    expect(history.sampled).toBe(20);
    expect(history.mean).toBeGreaterThan(10);
    const batch = figures.batchCalls as { calls: Record<string, number>; perMinutePeak: Record<string, number> };
    // 40 steps, each its own Batch job, submitted once.
    expect(batch.calls.SubmitJob).toBe(40);
    expect(batch.calls.DescribeJobs as number).toBeGreaterThan(0);
    const rows = figures.ledgerRowsPerProcess as Record<string, { inserted: number; updated: number; deleted: number }>;
    // One process row and two task rows a process, inserted once.
    expect(rows.processes!.inserted).toBe(1);
    expect(rows.tasks!.inserted).toBe(2);
  });
});
