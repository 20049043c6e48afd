import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BudgetClosedError,
  BudgetOptionsError,
  budgetHooks,
  createSourceBudget,
  listBudgetLeases,
  readBudgetState,
  setBudgetControl,
  type SourceBudget,
  type SourceBudgetOptions,
} from '../../budget/index.js';
import { registerWant } from '../../budget/fair-share.js';
import { getState, type SharedState } from '../../budget/state-item.js';
import { nextEpisode } from '../../budget/throttle.js';
import { climbedRate, MAX_RATE } from '../../budget/token-bucket.js';
import { eventually } from '../support/eventually.js';
import { startDynalite, type DynamoDb } from '../support/dynalite.js';

let db: DynamoDb;
const open: SourceBudget[] = [];

beforeAll(async () => {
  db = await startDynalite();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(open.map((b) => b.close()));
  await db?.close();
});

function budget(table: string, options: Partial<SourceBudgetOptions> = {}): SourceBudget {
  const b = createSourceBudget({ ddb: db.ddb, table, clientId: 'test', maxConcurrency: 50, refreshMs: 50, idleReturnMs: 0, ...options });
  open.push(b);
  return b;
}

/** db.ddb, counting the reads of the budget's state that have come back: how a test knows the budget looked again. */
function countingReads(): { ddb: DynamoDBClient; reads: () => number } {
  let reads = 0;
  const ddb = new Proxy(db.ddb, {
    get(target, key, receiver) {
      if (key !== 'send') return Reflect.get(target, key, receiver) as unknown;
      return async (command: unknown, ...rest: unknown[]) => {
        const out: unknown = await (target.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        if (command instanceof GetItemCommand) reads++;
        return out;
      };
    },
  });
  return { ddb, reads: () => reads };
}

/** Whether the request still waits after the budget has read the shared state three more times: it looked, and found nothing for it. */
async function stillWaiting(p: Promise<unknown>, reads: () => number): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  const from = reads();
  await eventually('the budget to read its state three more times', () => reads() >= from + 3, 30_000);
  return !settled;
}

describe('source budget options', () => {
  it('refuses unknown keys and bad values with BudgetOptionsError', () => {
    const base = { ddb: db.ddb, table: 't', clientId: 'c', maxConcurrency: 5 };
    expect(() => createSourceBudget({ ...base, burst: 3 } as unknown as SourceBudgetOptions)).toThrow(BudgetOptionsError);
    const refusal = (message: string) => expect.objectContaining({ name: 'BudgetOptionsError', code: 'BUDGET_OPTIONS', message: `source budget option ${message}` });
    expect(() => createSourceBudget({ ...base, maxConcurrency: 0 })).toThrow(refusal('maxConcurrency must be an integer >= 1, got 0'));
    expect(() => createSourceBudget({ ...base, decreaseFactor: 1 })).toThrow(refusal('decreaseFactor must be a number above 0 and below 1, got 1'));
    expect(() => createSourceBudget({ ...base, clientId: ' ' })).toThrow(refusal('clientId must be a non-empty string'));
    let caught: unknown;
    try {
      createSourceBudget({ ...base, leaseMs: 10 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'BudgetOptionsError', code: 'BUDGET_OPTIONS', message: 'source budget option leaseMs must be an integer >= 500, got 10' });
  });
});

describe('budget state and control', () => {
  it('reads an untouched table as an empty, unlimited budget', async () => {
    const table = await db.table('untouched');
    expect(await readBudgetState(db.ddb, table)).toEqual({
      rate: null, maxRps: null, inFlight: 0, limit: 0, paused: false, throttled429: 0, throttled503: 0, decreases: 0, notBefore: 0,
    });
  });

  it('grants nothing while paused and resumes when unpaused', async () => {
    const table = await db.table('paused');
    const counted = countingReads();
    const b = budget(table, { maxConcurrency: 4, blockSize: 4, ddb: counted.ddb });
    (await b.acquire())();
    await eventually('the idle slot to go back', async () => (await b.snapshot()).held === 0);

    expect(await setBudgetControl(db.ddb, table, { paused: true }, { maxConcurrency: 4 })).toMatchObject({ paused: true, limit: 4, inFlight: 0 });
    const waiting = b.acquire();
    expect(await stillWaiting(waiting, counted.reads)).toBe(true);
    expect(await b.snapshot()).toMatchObject({ paused: true, held: 0, granted: 0, waiting: 1 });
    expect(await listBudgetLeases(db.ddb, table)).toEqual([]);

    await setBudgetControl(db.ddb, table, { paused: false }, { maxConcurrency: 4 });
    const release = await waiting;
    expect(await b.snapshot()).toMatchObject({ paused: false, held: 1, granted: 1, waiting: 0, inFlight: 1 });
    release();
  });

  it('makes the state from the run\'s defaults when a pause comes before any child', async () => {
    const table = await db.table('paused-early');
    expect(await setBudgetControl(db.ddb, table, { paused: true }, { maxConcurrency: 7, maxRps: 20 })).toMatchObject({ paused: true, limit: 7, rate: 20, maxRps: 20, inFlight: 0 });
    await expect(setBudgetControl(db.ddb, table, { paused: true, limit: 3 } as never, { maxConcurrency: 7 })).rejects.toMatchObject({ code: 'BUDGET_OPTIONS', message: 'unknown budget control(s): limit' });
  });

  it('lets setBudgetControl set the limit the children adopt, and moves it later', async () => {
    const table = await db.table('limit');
    expect(await setBudgetControl(db.ddb, table, { maxConcurrency: 3 }, { maxConcurrency: 50 })).toMatchObject({ limit: 3, inFlight: 0, paused: false });
    const counted = countingReads();
    const b = budget(table, { maxConcurrency: 50, blockSize: 5, idleReturnMs: 60_000, ddb: counted.ddb });
    const releases = [await b.acquire(), await b.acquire(), await b.acquire()];
    const fourth = b.acquire();
    expect(await stillWaiting(fourth, counted.reads)).toBe(true);
    expect(await readBudgetState(db.ddb, table)).toMatchObject({ limit: 3, inFlight: 3 });

    releases[0]!();
    releases.push(await fourth);
    expect(await setBudgetControl(db.ddb, table, { maxConcurrency: 4 }, { maxConcurrency: 50 })).toMatchObject({ limit: 4, inFlight: 3 });
    releases.push(await b.acquire());
    expect(await b.snapshot()).toMatchObject({ limit: 4, inFlight: 4, held: 4, granted: 4 });
    await expect(setBudgetControl(db.ddb, table, { maxConcurrency: 0 }, { maxConcurrency: 50 })).rejects.toThrow(BudgetOptionsError);
    await b.close();
    expect(await readBudgetState(db.ddb, table)).toMatchObject({ limit: 4, inFlight: 0 });
  });

  it('lets a child alone use every slot, and gives a child that comes later its fair share as requests end', async () => {
    const table = await db.table('fair-share');
    const options = { maxConcurrency: 10, blockSize: 10, idleReturnMs: 60_000 };
    const [a, b] = [budget(table, { ...options, clientId: 'a' }), budget(table, { ...options, clientId: 'b' })];
    let inFlight = 0;
    let peak = 0;
    const stopped = new Set<SourceBudget>();
    // Each loop is one request after another, as a child's lookups are; more loops than slots keep the child asking.
    const loop = async (x: SourceBudget): Promise<void> => {
      while (!stopped.has(x)) {
        const release = await x.acquire().catch(() => undefined);
        if (!release) return;
        peak = Math.max(peak, ++inFlight);
        await sleep(5);
        inFlight--;
        release();
      }
    };
    const aLoops = Array.from({ length: 12 }, () => loop(a));
    await eventually('a alone to hold every slot', async () => (await a.snapshot()).held === 10);

    const bLoops = Array.from({ length: 12 }, () => loop(b));
    await eventually('a and b to hold 5 each', async () => (await a.snapshot()).held === 5 && (await b.snapshot()).held === 5);
    expect((await listBudgetLeases(db.ddb, table)).map((l) => [l.holder, l.slots]).sort()).toEqual([['a', 5], ['b', 5]]);

    stopped.add(b);
    await Promise.all(bLoops);
    await b.close();
    await eventually('a to take back the slots b left', async () => (await a.snapshot()).held === 10);
    stopped.add(a);
    await Promise.all(aLoops);
    expect(await a.snapshot()).toMatchObject({ asking: false, limit: 10, inFlight: 10 });
    expect(await b.snapshot()).toMatchObject({ asking: false, held: 0 });
    await a.close();
    expect(peak).toBe(10);
    expect(await readBudgetState(db.ddb, table)).toMatchObject({ limit: 10, inFlight: 0 });
  });

  it('removes the want of a child that died while asking, once it has expired', async () => {
    const table = await db.table('dead-want');
    const holder = budget(table, { clientId: 'holder', maxConcurrency: 1, blockSize: 1 });
    const release = await holder.acquire();
    await registerWant(db.ddb, { table, id: 'dead/1', clientId: 'dead', held: 0 }, Date.now() - 5000);
    expect((await getState(db.ddb, table, true))!.wants.map((w) => w.id)).toEqual(['dead/1']);

    const asker = budget(table, { clientId: 'asker', maxConcurrency: 1, blockSize: 1, clockSkewMs: 0 });
    const waiting = asker.acquire();
    await eventually('the dead want to be gone and the asker\'s to stand', async () => {
      const ids = (await getState(db.ddb, table, true))!.wants.map((w) => w.id);
      return ids.length === 1 && ids[0]!.startsWith('asker/');
    });
    release();
    (await waiting)();
    await asker.close();
    expect((await getState(db.ddb, table, true))!.wants).toEqual([]);
  });

  it('rejects a waiting acquire when closed', async () => {
    const table = await db.table('closing');
    const b = budget(table, { maxConcurrency: 1, blockSize: 1 });
    await b.acquire();
    const waiting = b.acquire();
    await b.close();
    await expect(waiting).rejects.toBeInstanceOf(BudgetClosedError);
    await expect(b.acquire()).rejects.toMatchObject({ code: 'BUDGET_CLOSED' });
    expect(await readBudgetState(db.ddb, table)).toMatchObject({ limit: 1, inFlight: 0 });
  });
});

describe('budget hooks for the tax client', () => {
  it('returns a slot on each answer, and a slot no answer returned once the request timeout passed', async () => {
    const table = await db.table('hooks');
    const b = budget(table, { maxConcurrency: 2, blockSize: 2 });
    const hooks = budgetHooks(b, { requestTimeoutMs: 300, marginMs: 0 });
    await hooks.beforeRequest();
    await hooks.beforeRequest();
    expect(hooks.outstanding()).toBe(2);
    hooks.onResponse(200);
    expect(hooks.outstanding()).toBe(1);
    expect((await b.snapshot()).granted).toBe(1);
    // The other request "timed out": nothing answers it, its ticket goes back by itself.
    await eventually('the unanswered ticket to expire', () => hooks.outstanding() === 0);
    expect((await b.snapshot()).granted).toBe(0);
    expect(() => budgetHooks(b, { requestTimeoutMs: 0 })).toThrow(BudgetOptionsError);
  });
});

describe('pause or throttle: the episodes of throttling', () => {
  const recurMs = 1000;
  it('counts a pause once however many children were told of it, and only pauses that keep coming back', () => {
    // A window: the first 503 says "come back at 5000"; the other children's 503s within it are the same episode.
    let e = nextEpisode({ episodes: 0, episodeEnd: 0 }, 3000, 5000, recurMs);
    expect(e).toEqual({ episodes: 1, episodeEnd: 5000 });
    e = nextEpisode(e, 3200, 5100, recurMs);
    expect(e).toEqual({ episodes: 1, episodeEnd: 5100 });
    // Thirty seconds later the next window: a new episode, not a second one in a row.
    expect(nextEpisode(e, 33_000, 35_000, recurMs)).toEqual({ episodes: 1, episodeEnd: 35_000 });
    // Throttled again right after the pause ended: the source was not asking for a pause but for less.
    const again = nextEpisode(e, 5300, 6300, recurMs);
    expect(again).toEqual({ episodes: 2, episodeEnd: 6300 });
    expect(nextEpisode(again, 6400, 7400, recurMs).episodes).toBe(3);
    // Without Retry-After each throttle is an episode of its own: a burst of them comes back at once.
    let plain = nextEpisode({ episodes: 0, episodeEnd: 0 }, 1000, 0, recurMs);
    plain = nextEpisode(plain, 1010, 0, recurMs);
    expect(nextEpisode(plain, 1020, 0, recurMs)).toEqual({ episodes: 3, episodeEnd: 1020 });
    // A stray one a while later starts again.
    expect(nextEpisode(plain, 9000, 0, recurMs)).toEqual({ episodes: 1, episodeEnd: 9000 });
  });
});

describe('the climb after a decrease', () => {
  const base: SharedState = {
    limit: 100, free: 100, paused: false, rate: 1000, probeTo: 2000, tokens: 0, refilledAt: 0, notBefore: 0, holdUntil: 1000,
    episodes: 0, episodeEnd: 0, throttled429: 0, throttled503: 1, decreases: 1, leases: [], wants: [],
  };
  const o = { increaseRps: 1, probeFactor: 2 };
  it('doubles back to the rate that last worked within a second, then probes past it one request a second', () => {
    expect(climbedRate(base, 500, o)).toBe(1000); // the hold
    expect(climbedRate(base, 1500, o)).toBeCloseTo(1414.214, 3);
    expect(climbedRate(base, 2000, o)).toBe(2000); // not 1001, as +1 a second would give
    expect(climbedRate(base, 4000, o)).toBe(2002);
    expect(climbedRate({ ...base, rate: 2500 }, 2000, o)).toBe(2501);
  });

  it('never passes maxRps, and grows until throttled when no rate is known to work', () => {
    expect(climbedRate({ ...base, maxRps: 1500 }, 3000, o)).toBe(1500);
    expect(climbedRate({ ...base, probeTo: undefined }, 4000, o)).toBe(8000);
    expect(climbedRate({ ...base, probeTo: undefined }, 60_000, o)).toBe(MAX_RATE);
  });
});
