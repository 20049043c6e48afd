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
  'childrenSeconds', 'historyEvents', 'reportBytes', 'maintenanceSeconds', 'naiveThrottled', 'naiveTooEarly', 'throttled503', 'tooEarly',
];
const STAGES = ['validate', 'ingest', 'scrape', 'report', 'email', 'cleanup'];

describe('npm run bench', () => {
  it('ends with one JSON line holding every figure of the run', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'bench', 'bench.js'), '--records', '500', '--latency', '1', '--concurrency', '20'], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\| records \| maint\. s \| stages \| wall s \|/);
    const figures = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;

    expect(Object.keys(figures).sort()).toEqual([...NUMBERS, 'settings', 'stageSeconds', 'overlapStages', 'emailConfirmed', 'reportAttached', 'cpuSeconds'].sort());
    for (const name of NUMBERS) {
      expect([name, typeof figures[name]]).toEqual([name, 'number']);
      expect([name, Number.isFinite(figures[name])]).toEqual([name, true]);
    }
    const stages = figures.stageSeconds as Record<string, unknown>;
    expect(Object.keys(stages).sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) expect([stage, Number.isFinite(stages[stage])]).toEqual([stage, true]);

    const cpu = figures.cpuSeconds as Record<string, unknown>;
    expect(Object.keys(cpu).sort()).toEqual(['api', 'batch', 'children', 'dynamodb', 'moto', 'portal', 'postgres', 'temporal', 'trigger', 'worker']);
    for (const [name, seconds] of Object.entries(cpu)) expect([name, Number.isFinite(seconds)]).toEqual([name, true]);

    expect(figures.records).toBe(500);
    expect(figures.overlapStages).toBe(true);
    expect(figures.customers).toBe(500);
    expect(figures.concurrency).toBe(20);
    expect(figures.inFlightCap).toBe(20);
    // Only --concurrency departs from the shipped defaults, and the fan-out plan puts its 20 on one child of 500.
    expect(figures.settings).toEqual({ TAX_SOURCE_MAX_CONCURRENCY: '20' });
    expect(figures.children).toBe(1);
    expect(figures.perChild).toBe(20);
    expect(figures.recordsPerChild).toBe(500);
    expect([figures.maintenanceSeconds, figures.throttled503, figures.tooEarly, figures.naiveThrottled, figures.naiveTooEarly]).toEqual([0, 0, 0, 0, 0]);
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

describe('the bench\'s stack environment', () => {
  it('is the shipped defaults but for the settings its flags changed and the source it measures', async () => {
    const { stackEnv } = await import('../../bench/run-once.js');
    const shell = { PATH: '/bin', AWS_REGION: 'eu-west-1', TAX_SOURCE_CHILD_CONCURRENCY: '8', DROVER_BATCH_POLL_SECONDS: '0.2', TAX_SOURCE_URL: 'http://elsewhere' };
    const env = stackEnv('/tmp/bench-home', { latencyMs: 50, maintenanceSeconds: 2, settings: { TAX_SOURCE_MAX_CONCURRENCY: '100' } }, shell);
    // A setting from the developer's shell does not tune the run unseen.
    expect(env.TAX_SOURCE_CHILD_CONCURRENCY).toBeUndefined();
    expect(env.DROVER_BATCH_POLL_SECONDS).toBeUndefined();
    expect(env.TAX_SOURCE_URL).toBeUndefined();
    expect(env).toMatchObject({
      PATH: '/bin', AWS_REGION: 'eu-west-1', DROVER_HOME: '/tmp/bench-home', TAX_SOURCE_MAX_CONCURRENCY: '100',
      DROVER_PORTAL_LATENCY_MS: '50', DROVER_PORTAL_FAULT_RATE: '0', DROVER_PORTAL_MAINTENANCE_SECONDS: '2',
    });
  });
});
