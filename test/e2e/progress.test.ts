import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortalDataset } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { pauseSignal, progressQuery, resumeSignal, type Progress } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { runHandle, upload } from '../support/runs.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-progress-'));
const CUSTOMERS = 400;

beforeAll(async () => {
  stack = await startTestStack({
    // One chunk that takes a while: slow answers, few requests at once.
    env: { DROVER_PORTAL_LATENCY_MS: '100', TAX_SOURCE_MAX_CONCURRENCY: '2' },
  });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

interface Watcher {
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
  pid: number;
}

/** `drover ARGS` as a user runs it, with the test stack's endpoints; its output as it comes. */
function drover(args: string[], opts: { tty?: boolean } = {}): Watcher {
  const bin = join(process.cwd(), 'bin', 'drover.js');
  // script(1) gives the command a pseudo-terminal, as an interactive shell would.
  const [command, argv] = opts.tty
    ? ['script', ['-qfec', [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' '), '/dev/null']]
    : [process.execPath, [bin, ...args]];
  const child = spawn(command as string, argv as string[], { env: { ...stack.env, COLUMNS: '160' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return { output: () => out, errors: () => err, exited: new Promise((resolve) => child.on('close', resolve)), pid: child.pid! };
}

/** The `done/total` figures of each progress line a watcher printed. */
function doneCounts(text: string): { done: number; total: number }[] {
  return [...text.matchAll(/(\d[\d,]*)\/(\d[\d,]*) done/g)].map((m) => ({ done: Number(m[1]!.replace(/,/g, '')), total: Number(m[2]!.replace(/,/g, '')) }));
}

describe('watching a run', () => {
  it('shows done climbing while the only chunk runs, on a terminal and in a log, and Ctrl-C stops the waiting, not the run', async () => {
    const path = join(scratch, 'watched.xlsx');
    await writeCustomerWorkbook(path, new PortalDataset({ seed: 42 }).customers(CUSTOMERS));
    const runId = await upload(stack, 'incoming/watched.xlsx', readFileSync(path));
    const handle = await runHandle(stack, runId);
    const out = mkdtempSync(join(scratch, 'out-'));
    const log = drover(['wait', runId, '--out', out, '--progress-every', '1']);
    const terminal = drover(['wait', runId, '--out', out], { tty: true });
    const interrupted = drover(['wait', runId, '--out', out]);

    // The children report every few seconds: once some results are in, hold the source so the run stands mid-chunk.
    await eventually('results in progress', async () => (await handle.query(progressQuery)).done > 0, 120_000);
    await handle.signal(pauseSignal, { source: true });
    const held: Progress = await handle.query(progressQuery);
    expect(held.stage).toBe('scrape');
    expect(held.total).toBe(CUSTOMERS);
    expect(held.chunks).toMatchObject({ total: 1, running: 1, done: 0 });
    expect(held.done).toBeGreaterThan(0);
    expect(held.done).toBeLessThan(CUSTOMERS);

    // The log's lines and the terminal's bar both show a count strictly between 0 and the total.
    await eventually('a progress line mid-run', () => doneCounts(log.output()).some((c) => c.total === CUSTOMERS && c.done > 0 && c.done < CUSTOMERS));
    // The run stays held until resumed, so the hold shows in a line.
    await eventually('the hold in a progress line', () => log.output().includes('paused (source held)'));
    await eventually('the bar mid-run', () => doneCounts(terminal.output()).some((c) => c.total === CUSTOMERS && c.done > 0 && c.done < CUSTOMERS));

    process.kill(interrupted.pid, 'SIGINT');
    expect(await interrupted.exited).toBe(130);
    expect(interrupted.errors()).toContain(`stopped waiting; ${runId} goes on. To cancel it: npx drover cancel ${runId}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await handle.signal(resumeSignal);
    expect(await log.exited).toBe(0);
    expect(await terminal.exited).toBe(0);

    const lines = log.output().trim().split('\n');
    // Plain lines, one a second here, no terminal codes: `HH:MM:SS run stage · n/total done · ...`.
    expect(log.output()).not.toMatch(/\u001b\[|\r/);
    const progressLines = lines.filter((l) => l.includes(` ${runId} `) && l.includes(' · '));
    expect(progressLines.length).toBeGreaterThanOrEqual(2);
    for (const line of progressLines) expect(line).toMatch(/^\d\d:\d\d:\d\d \S+ (starting|validate|ingest|scrape|report|email|cleanup|done) · /);
    expect(progressLines.some((l) => /scrape · .*\d+\/400 done · \d+ failed · .*source \d+\/2 in flight, \d+ × 429/.test(l))).toBe(true);
    expect(log.output()).toContain(`${runId}  COMPLETED  stage=done  ${CUSTOMERS}/${CUSTOMERS} done`);
    // The done counts never go back.
    const counts = doneCounts(log.output()).map((c) => c.done);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));

    // On a terminal: a bar redrawn in place, then the same final words.
    const screen = terminal.output();
    expect(screen).toMatch(/scrape\s+[█░]{24} \d+\/400 done/);
    expect(screen).toContain('\r');
    expect(screen).toContain(`${runId}  COMPLETED  stage=done  ${CUSTOMERS}/${CUSTOMERS} done`);
  }, 300_000);
});
