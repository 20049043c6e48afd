import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { listBudgetLeases, readBudgetState, type BudgetState } from '../../budget/index.js';
import { getState } from '../../budget/state-item.js';
import { startPortal } from '../../portal/server.js';
import { eventually } from '../support/eventually.js';
import type { BudgetChildEvent } from './support/child-config.js';
import { budgetFixture, isDone, parcels } from './support/budget-fixture.js';
import { spawnBudgetChild } from './support/spawn-child.js';

const fixture = budgetFixture();
const { portals, children } = fixture;
const asking = (e: BudgetChildEvent): e is Extract<BudgetChildEvent, { event: 'asking' }> => e.event === 'asking';
const holding = (slots: number) => (e: BudgetChildEvent): e is Extract<BudgetChildEvent, { event: 'holding' }> => e.event === 'holding' && e.slots === slots;

describe('one budget shared by several child processes', () => {
  it('keeps the source at maxConcurrency over all children and serves every request', async () => {
    const portal = await startPortal({ latencyMs: 100 });
    portals.push(portal);
    const table = await fixture.db.table('shared-limit');
    const started = [0, 1, 2, 3].map((i) =>
      spawnBudgetChild({ endpoint: fixture.db.endpoint, table, clientId: `child-${i}`, maxConcurrency: 10, concurrency: 20, mode: 'scrape', portalUrl: portal.url, parcels: parcels(i * 40, 40) }),
    );
    children.push(...started);
    const done = await Promise.all(started.map((c) => c.waitFor('done', isDone)));
    expect(await Promise.all(started.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    expect(done.map((d) => d.lookups)).toEqual([40, 40, 40, 40]);
    const stats = portal.stats();
    expect(stats.requests).toBe(160);
    expect((stats.byStatus['200'] ?? 0) + (stats.byStatus['404'] ?? 0)).toBe(160);
    expect(stats.peakInFlight).toBeLessThanOrEqual(10);
    expect(stats.peakInFlight).toBe(10);
    // Every child gave its slots back on close.
    expect(await readBudgetState(fixture.db.ddb, table)).toMatchObject({ limit: 10, inFlight: 0, rate: null, throttled429: 0 });
    expect(await listBudgetLeases(fixture.db.ddb, table)).toEqual([]);
  }, 120_000);

  it('gives a killed child\'s slots to the others once its lease runs out', async () => {
    const table = await fixture.db.table('dead-child');
    const common = { endpoint: fixture.db.endpoint, table, maxConcurrency: 10, leaseMs: 1500, clockSkewMs: 200, mode: 'hold' } as const;
    const doomed = spawnBudgetChild({ ...common, clientId: 'doomed', concurrency: 10 });
    children.push(doomed);
    await doomed.waitFor('10 slots', holding(10));

    const survivors = ['left', 'right'].map((clientId) => spawnBudgetChild({ ...common, clientId, concurrency: 5 }));
    children.push(...survivors);
    await Promise.all(survivors.map((s) => s.waitFor('asking', asking)));
    // Wait until each has asked more than once (registered its want and renewed it): while the doomed child lives, they get nothing.
    const firstAsk = new Map<string, number>();
    await eventually('both survivors to ask again', async () => {
      const wants = (await getState(fixture.db.ddb, table, true))?.wants ?? [];
      for (const w of wants) if (!firstAsk.has(w.id)) firstAsk.set(w.id, w.expiresAt);
      return wants.length === 2 && wants.every((w) => w.expiresAt > firstAsk.get(w.id)!);
    }, 30_000);
    expect((await listBudgetLeases(fixture.db.ddb, table)).map((l) => [l.holder, l.slots])).toEqual([['doomed', 10]]);
    expect(survivors.flatMap((s) => s.events)).toEqual([{ event: 'asking' }, { event: 'asking' }]);

    doomed.proc.kill('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    await Promise.all(survivors.map((s) => s.waitFor('5 slots', holding(5))));

    const leases = await listBudgetLeases(fixture.db.ddb, table);
    expect(leases.map((l) => [l.holder, l.slots]).sort()).toEqual([['left', 5], ['right', 5]]);
    expect(await readBudgetState(fixture.db.ddb, table)).toMatchObject({ limit: 10, inFlight: 10 });
    for (const s of survivors) s.proc.kill('SIGKILL');
  }, 120_000);

  it('lowers the shared rate below the source\'s limit on 429s, honours Retry-After, then climbs again', async () => {
    const limit = 20;
    const portal = await startPortal({ latencyMs: 20, maxRps: limit, retryAfterSeconds: 1 });
    portals.push(portal);
    const table = await fixture.db.table('adaptive');
    const started = [0, 1, 2, 3].map((i) =>
      spawnBudgetChild({
        endpoint: fixture.db.endpoint, table, clientId: `rate-${i}`, maxConcurrency: 12, concurrency: 3, increaseRps: 5, cooldownMs: 500,
        mode: 'loop', portalUrl: portal.url, parcels: parcels(200 + i * 50, 50),
      }),
    );
    children.push(...started);

    const rates: number[] = [];
    let lowest = Infinity;
    await eventually('the rate to fall below the limit and climb again', async () => {
      const state: BudgetState = await readBudgetState(fixture.db.ddb, table);
      if (state.rate !== null) {
        rates.push(state.rate);
        if (lowest < limit && state.rate >= lowest + 2) return true;
        lowest = Math.min(lowest, state.rate);
      }
      await sleep(100);
      return false;
    });
    for (const child of started) child.proc.kill('SIGTERM');
    const done = await Promise.all(started.map((c) => c.waitFor('done', isDone)));
    expect(await Promise.all(started.map((c) => c.exited))).toEqual([0, 0, 0, 0]);

    const stats = portal.stats();
    const state = await readBudgetState(fixture.db.ddb, table);
    expect(lowest).toBeLessThan(limit);
    expect(rates.at(-1)).toBeGreaterThanOrEqual(lowest + 2);
    expect(stats.byStatus['429']).toBeGreaterThan(0);
    // Every 429 the source sent was reported to the budget, and no child came back before its Retry-After.
    expect(state.throttled429).toBe(stats.byStatus['429']);
    expect(done.reduce((sum, d) => sum + (d.byStatus['429'] ?? 0), 0)).toBe(stats.byStatus['429']);
    expect(state.decreases).toBeGreaterThan(0);
    expect(stats.tooEarly).toBe(0);
    expect(state.inFlight).toBe(0);
  }, 120_000);
});
