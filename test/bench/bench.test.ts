import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const NUMBERS = [
  'records', 'latencyMs', 'concurrency', 'children', 'perChild', 'recordsPerChild', 'customers', 'generateSeconds',
  'wallSeconds', 'uploadSeconds', 'triggerSeconds', 'reportTailSeconds', 'recordsPerSecond', 'ingestRowsPerSecond', 'reportRowsPerSecond',
  'requests', 'idealSeconds', 'ratioToIdeal', 'scrapeRatioToIdeal', 'naiveSeconds', 'naiveRequests', 'naivePeakInFlight',
  'ratioToNaive', 'scrapeRatioToNaive', 'peakInFlight', 'inFlightCap', 'workerPeakRssMb', 'childPeakRssMb', 'childrenSeen',
  'childrenSeconds', 'historyEvents', 'reportBytes',
];
const STAGES = ['validate', 'ingest', 'scrape', 'report', 'email', 'cleanup'];

describe('npm run bench', () => {
  it('ends with one JSON line holding every figure of the run', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'bench', 'bench.js'), '--records', '500', '--latency', '1', '--concurrency', '20'], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\| records \| stages \| wall s \|/);
    const figures = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;

    expect(Object.keys(figures).sort()).toEqual([...NUMBERS, 'stageSeconds', 'overlapStages', 'emailConfirmed', 'reportAttached', 'cpuSeconds'].sort());
    for (const name of NUMBERS) {
      expect([name, typeof figures[name]]).toEqual([name, 'number']);
      expect([name, Number.isFinite(figures[name])]).toEqual([name, true]);
    }
    const stages = figures.stageSeconds as Record<string, unknown>;
    expect(Object.keys(stages).sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) expect([stage, Number.isFinite(stages[stage])]).toEqual([stage, true]);

    const cpu = figures.cpuSeconds as Record<string, unknown>;
    expect(Object.keys(cpu).sort()).toEqual(['batch', 'children', 'dynamodb', 'moto', 'portal', 'temporal', 'trigger', 'worker']);
    for (const [name, seconds] of Object.entries(cpu)) expect([name, Number.isFinite(seconds)]).toEqual([name, true]);

    expect(figures.records).toBe(500);
    expect(figures.overlapStages).toBe(true);
    expect(figures.customers).toBe(500);
    expect(figures.concurrency).toBe(20);
    expect(figures.inFlightCap).toBe(20);
    expect(figures.children).toBe(1);
    expect(figures.perChild).toBe(20);
    expect(figures.peakInFlight as number).toBeGreaterThanOrEqual(1);
    expect(figures.naivePeakInFlight as number).toBeGreaterThanOrEqual(1);
    // Both did the same lookups on portals with no faults: the same requests.
    expect(figures.requests as number).toBeGreaterThanOrEqual(500);
    expect(figures.naiveRequests).toBe(figures.requests);
    expect(figures.childrenSeen as number).toBeGreaterThanOrEqual(1);
    expect(figures.workerPeakRssMb as number).toBeGreaterThan(0);
    expect(figures.childPeakRssMb as number).toBeGreaterThan(0);
    expect(figures.historyEvents as number).toBeGreaterThan(10);
    expect(figures.emailConfirmed).toBe(true);
    // 500 customers make a report far below the 7 MB past which it is linked.
    expect(figures.reportBytes as number).toBeGreaterThan(10_000);
    expect(figures.reportAttached).toBe(true);
  }, 300_000);
});
