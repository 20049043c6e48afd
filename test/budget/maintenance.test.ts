/**
 * The shared budget against a portal with maintenance windows: closed a second of every few,
 * answering 503 with Retry-After. A window is a pause of every child, not a verdict on the rate:
 * no child comes back before the window ends, the rate is never lowered, and the source gets
 * the full rate again as soon as the window is over.
 */
import { describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBudgetState } from '../../budget/index.js';
import { startPortal } from '../../portal/server.js';
import { budgetFixture, isDone, parcels } from './support/budget-fixture.js';
import { spawnBudgetChild } from './support/spawn-child.js';

const fixture = budgetFixture();
const { portals, children } = fixture;

const WINDOW = { maintenanceSeconds: 1, maintenanceEverySeconds: 4, maintenanceAfterSeconds: 1 } as const;

interface Sample {
  at: number;
  /** Answers that were not the maintenance page (200 and 404). */
  good: number;
  rate: number | null;
  decreases: number;
}

/** Runs three children in a loop for `ms` against a portal with windows, sampling the portal and the budget. */
async function runThroughWindows(name: string, ms: number, maxRps?: number) {
  const portal = await startPortal({ latencyMs: 20, ...WINDOW });
  portals.push(portal);
  const table = await fixture.db.table(name);
  const started = [0, 1, 2].map((i) =>
    spawnBudgetChild({
      endpoint: fixture.db.endpoint, table, clientId: `${name}-${i}`, maxConcurrency: 12, concurrency: 8, ...(maxRps === undefined ? {} : { maxRps }),
      mode: 'loop', portalUrl: portal.url, parcels: parcels(300 + i * 40, 40),
    }),
  );
  children.push(...started);
  const samples: Sample[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const stats = portal.stats();
    const state = await readBudgetState(fixture.db.ddb, table);
    samples.push({ at: performance.now(), good: (stats.byStatus['200'] ?? 0) + (stats.byStatus['404'] ?? 0), rate: state.rate, decreases: state.decreases });
    await sleep(100);
  }
  for (const child of started) child.proc.kill('SIGTERM');
  const done = await Promise.all(started.map((c) => c.waitFor('done', isDone)));
  expect(await Promise.all(started.map((c) => c.exited))).toEqual([0, 0, 0]);
  return { portal, stats: portal.stats(), state: await readBudgetState(fixture.db.ddb, table), done, samples };
}

/** Good answers between two moments, from the samples. */
function goodBetween(samples: Sample[], from: number, to: number): number {
  const at = (t: number) => samples.find((s) => s.at >= t) ?? samples.at(-1)!;
  return at(to).good - at(from).good;
}

/** Ends of the windows that closed at least `after` ms before the samples stop. */
function windowEnds(origin: number, samples: Sample[], after: number): number[] {
  const ends: number[] = [];
  const last = samples.at(-1)!.at;
  const { maintenanceSeconds: closed, maintenanceEverySeconds: every, maintenanceAfterSeconds: first } = WINDOW;
  for (let k = 0; ; k++) {
    const endAt = origin + (first + k * every + closed) * 1000;
    if (endAt + after > last) return ends;
    ends.push(endAt);
  }
}

describe('a portal with maintenance windows', () => {
  it('pauses every child until each window ends, keeps the rate at its ceiling, and is back at it within seconds', async () => {
    const ceiling = 150;
    const { stats, state, done, samples } = await runThroughWindows('windows-ceiling', 12_000, ceiling);
    const m = stats.maintenance!;
    expect(m.windows).toBeGreaterThanOrEqual(3);
    expect(m.closedAnswers).toBeGreaterThan(0);
    // No child asked again before the window it was told of had ended, for any page, nor for the same page before its Retry-After.
    expect(m.early).toBe(0);
    expect(stats.tooEarly).toBe(0);
    expect(stats.peakInFlight).toBeLessThanOrEqual(12);
    // The children met the windows: every 503 the portal gave was seen by a child and reached the budget, and
    // none lowered the rate. (Not every child need meet one: the first 503 of a window pauses all of them.)
    expect(stats.byStatus['503'] ?? 0).toBeGreaterThan(0);
    expect(done.reduce((n, d) => n + (d.byStatus['503'] ?? 0), 0)).toBe(stats.byStatus['503']);
    expect(state.throttled503).toBe(stats.byStatus['503']);
    expect(state.decreases).toBe(0);
    // From the first child's arrival on (before it the table has no budget), the rate is the ceiling in every sample.
    const first = samples.findIndex((s) => s.rate !== null);
    expect(first).toBeLessThan(samples.length / 4);
    expect(samples.slice(first).map((s) => s.rate).filter((r) => r !== ceiling)).toEqual([]);
    // From half a second after each window's end, the source gets the full rate again.
    // (The next window begins 3 s after one ends.)
    const ends = windowEnds(m.origin!, samples, 2500);
    expect(ends.length).toBeGreaterThanOrEqual(2);
    for (const end of ends) expect(goodBetween(samples, end + 500, end + 2500)).toBeGreaterThanOrEqual(0.75 * 2 * ceiling);
    expect(state.inFlight).toBe(0);
  }, 120_000);

  it('leaves an unlimited budget unlimited: the windows pause it and never make it a rate', async () => {
    const { stats, state, samples } = await runThroughWindows('windows-unlimited', 10_000);
    const m = stats.maintenance!;
    expect(m.windows).toBeGreaterThanOrEqual(2);
    expect(m.early).toBe(0);
    expect(stats.tooEarly).toBe(0);
    expect(stats.peakInFlight).toBeLessThanOrEqual(12);
    expect(state.decreases).toBe(0);
    expect(samples.every((s) => s.rate === null)).toBe(true);
    // Before the first window and after each one, as many answers a second as the 12 slots carry at 20 ms (600), give or take.
    const before = goodBetween(samples, m.origin! + 100, m.origin! + 900) / 0.8;
    expect(before).toBeGreaterThan(150);
    for (const end of windowEnds(m.origin!, samples, 2500)) expect(goodBetween(samples, end + 500, end + 2500) / 2).toBeGreaterThan(0.6 * before);
  }, 120_000);
});
