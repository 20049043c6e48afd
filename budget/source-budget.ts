/**
 * One politeness budget for the tax source, shared by every array child of a run through
 * the run's DynamoDB table (see state-item.ts for the layout).
 *
 * Trade-off. A DynamoDB round trip per HTTP request would bound the source exactly but
 * cost as much as the requests themselves and make one item the bottleneck of the run.
 * Instead:
 * - Concurrency is leased in blocks: a child takes up to `blockSize` slots in one
 *   conditional write, grants them to its requests locally, renews the lease every
 *   `leaseMs / 3` and gives unused slots back after `idleReturnMs`. The bound over all
 *   children stays exact (a request only runs on a leased slot); the price is that slots
 *   idle in one child for up to `idleReturnMs` while another waits, and that a dead
 *   child's slots are lost for up to `leaseMs + clockSkewMs`.
 * - A block may be the whole limit: a child alone uses every slot, and one that starts
 *   later or ends sooner leaves its part to the others. A child with no free slot and less
 *   than its fair share says so in the item (fair-share.ts); holders above the share see it
 *   within `refreshMs` and give slots back as their requests end.
 * - The rate is a token bucket on the state item, taken in batches of up to
 *   `burstSeconds` of the rate, so a child writes once per batch rather than per request.
 *   A batch is spent within `burstSeconds` or dropped, so the rate over any second stays
 *   within the rate plus one bucket.
 * - A 429/503 is first a pause: its Retry-After holds every child, and the rate stays. Only
 *   throttling that keeps coming back lowers the rate (throttle.ts), from the goodput before it
 *   began, and the rate doubles back to that goodput each second (token-bucket.ts).
 * - Pause, Retry-After and rate changes reach a child on its next write to the state item,
 *   or within `refreshMs` through a read: a child that is not rate limited may send for up
 *   to `refreshMs` after another child was told to wait. The child that got the
 *   Retry-After stops at once, so the source never sees a throttled client come early.
 * Children waiting for their share poll with backoff, to at most 100 ms for a few children
 * and 2 s for many (pollCapMs): all of them together read the item about `limit / 2` times
 * a second. A child that holds its share and wants more looks every `refreshMs`, for slots
 * a child that ended left.
 */
import { randomUUID } from 'node:crypto';
import { BudgetClosedError } from './errors.js';
import { EventWindow, PeakRate } from './event-window.js';
import { dropExpiredWants, dropWant, fairShare, pollCapMs, registerWant, type Share } from './fair-share.js';
import { growLease, reclaimExpiredLeases, renewLease, shrinkLease, type LeaseRef } from './leases.js';
import { resolveBudgetOptions, type SourceBudgetOptions } from './options.js';
import { getState, initState, readBudgetState, type BudgetState, type SharedState } from './state-item.js';
import { countThrottled, decreaseRate, extendNotBefore, nextEpisode, recordThrottles } from './throttle.js';
import { capacity, round3, takeTokens } from './token-bucket.js';

export type { SourceBudgetOptions } from './options.js';

/** Gives a slot back. Calling it again does nothing. */
export type Release = () => void;

export interface BudgetSnapshot extends BudgetState {
  /** Slots this child leases. */
  held: number;
  /** Of those, slots its requests use now. */
  granted: number;
  /** Requests of this child waiting for a slot or token. */
  waiting: number;
  /** Whether this child asks the others for its fair share of the slots. */
  asking: boolean;
}

export interface SourceBudget {
  /** Waits for a slot (and a token when rate limited, and the end of any Retry-After); resolves with its release. */
  acquire(): Promise<Release>;
  /** Tells the budget an HTTP status the source answered, with its Retry-After in ms. 429 and 503 pause every child until then; repeated, they lower the shared rate. */
  report(status: number, retryAfterMs?: number): void;
  /** The shared state and this child's part in it. */
  snapshot(): Promise<BudgetSnapshot>;
  /** Gives every slot back and stops; waiting `acquire()` calls reject with BudgetClosedError. */
  close(): Promise<void>;
}

interface Waiter {
  resolve(release: Release): void;
  reject(error: unknown): void;
}

/** Span of this child's own send and success rates, used to size a decrease. */
const RATE_WINDOW_MS = 2000;
/** Span over which the best second of goodput is the rate that last worked. */
const PEAK_WINDOW_MS = 10_000;
/** How long a computed share stands before the clock (wants expiring) is looked at again. */
const SHARE_TTL_MS = 100;

/** A key no other child picks: the lease of this process (a retried child gets a new one). */
function leaseId(clientId: string): string {
  return `${clientId}/${randomUUID()}`;
}

/**
 * Creates this child's handle on the run's budget. Nothing is written until the first
 * `acquire()` or `report()`.
 *
 * @throws {BudgetOptionsError} on bad options.
 */
export function createSourceBudget(options: SourceBudgetOptions): SourceBudget {
  const o = resolveBudgetOptions(options);
  const { ddb, table } = o;
  const ref: LeaseRef = { table, id: leaseId(o.clientId), clientId: o.clientId, held: 0 };
  const closing = new AbortController();
  const waiters: Waiter[] = [];
  const goodput = new EventWindow(RATE_WINDOW_MS, Date.now());
  const peakGoodput = new PeakRate(PEAK_WINDOW_MS);

  let state: SharedState | undefined;
  let stateAt = 0;
  let init: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  let closed = false;
  /** Slots handed to requests and not yet released. */
  let granted = 0;
  /** Slots being given back: no longer grantable. */
  let releasing = 0;
  let tokens = 0;
  let tokensAt = 0;
  /** A Retry-After this child was given, known before the shared item says so. */
  let localNotBefore = 0;
  let lastReclaim = 0;
  let pumping: Promise<void> | undefined;
  let flushing: Promise<void> | undefined;
  let pending429 = 0;
  let pending503 = 0;
  let pendingUntil = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  /** Lease writes one at a time, so `ref.held` always matches the item. */
  let leaseChain: Promise<unknown> = Promise.resolve();
  /** Until when this child's want stands in the item; 0: it asks for nothing. */
  let wantUntil = 0;
  let trimQueued = false;
  /** Failed looks for free slots in a row, and when the next may be (waiting children back off). */
  let polls = 0;
  let nextPollAt = 0;
  /** Ends the pump's nap early: a slot came back for a waiting request. */
  let wake: (() => void) | undefined;
  let shareOf: { state?: SharedState; at: number; value: Share } = { at: 0, value: { share: o.maxConcurrency, children: 1, contested: false } };

  function currentShare(): Share {
    const now = Date.now();
    if (state && (shareOf.state !== state || now - shareOf.at > SHARE_TTL_MS)) shareOf = { state, at: now, value: fairShare(state, ref.id, now, o.clockSkewMs) };
    return shareOf.value;
  }

  /** Most slots this child may keep: its share while another child waits for one, else all it can lease. */
  function keep(): number {
    const s = currentShare();
    return s.contested ? s.share : Infinity;
  }

  const grantable = (): number => Math.min(ref.held - releasing, keep()) - granted;
  const tokenTtlMs = Math.max(100, o.burstSeconds * 1000);

  /** Sleeps up to `ms`; a close, or a slot coming back (`wake`), ends it early. */
  async function nap(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        closing.signal.removeEventListener('abort', done);
        if (wake === done) wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      closing.signal.addEventListener('abort', done, { once: true });
      wake = done;
    });
  }

  function serial<T>(task: () => Promise<T>): Promise<T> {
    const run = leaseChain.then(task);
    leaseChain = run.catch(() => undefined);
    return run;
  }

  function fail(error: unknown): void {
    failure ??= { error };
    for (const w of waiters.splice(0)) w.reject(error);
  }

  function ensureInit(): Promise<void> {
    init ??= initState(ddb, table, o.maxConcurrency, o.maxRps, Date.now()).then((s) => {
      state = s;
      stateAt = Date.now();
    });
    return init;
  }

  async function refresh(consistent: boolean): Promise<SharedState> {
    const s = await getState(ddb, table, consistent);
    if (s === undefined) {
      init = undefined; // the item is gone (a test or operator reset it): start it again
      await ensureInit();
    } else {
      state = s;
      stateAt = Date.now();
    }
    return state!;
  }

  function lostLease(): void {
    // Our slots were taken back while we missed renewals; requests in flight finish, new ones need a new lease.
    ref.held = 0;
  }

  const demand = (): number => granted + waiters.length;

  /** Whether this child holds less than its share while its requests want more. */
  const shortOfShare = (s: SharedState): boolean => ref.held < Math.min(fairShare(s, ref.id, Date.now(), o.clockSkewMs).share, demand());

  /** With no slot free and less than its share, the child asks the holders to make room; renewed while it waits. */
  async function askForShare(s: SharedState): Promise<void> {
    const now = Date.now();
    if (!shortOfShare(s) || wantUntil - now > o.leaseMs / 2) return;
    wantUntil = now + o.leaseMs;
    await registerWant(ddb, ref, wantUntil);
  }

  async function stopAsking(force: boolean): Promise<void> {
    if (wantUntil === 0) return;
    if (!force && state && shortOfShare(state)) return;
    wantUntil = 0;
    await dropWant(ddb, ref);
  }

  /** Leases more slots for the requests waiting. Returns the slots gained. */
  async function grow(): Promise<number> {
    const want = Math.min(o.blockSize, demand(), keep()) - ref.held;
    if (want <= 0) return 0;
    let s = state!;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (s.free < 1 || attempt > 0) s = await refresh(true);
      const now = Date.now();
      if (s.free < 1 && now - lastReclaim >= o.leaseMs / 4) {
        lastReclaim = now;
        const reclaimed = await reclaimExpiredLeases(ddb, table, s.leases, now, o.clockSkewMs);
        await dropExpiredWants(ddb, table, s.wants, now, o.clockSkewMs);
        if (reclaimed > 0) s = await refresh(true);
      }
      if (s.paused) return 0;
      if (s.free < 1) {
        await askForShare(s);
        return 0;
      }
      const k = Math.min(want, s.free);
      if (await growLease(ddb, ref, k, Date.now() + o.leaseMs)) {
        ref.held += k;
        state = { ...s, free: s.free - k };
        await stopAsking(false);
        return k;
      }
      if (ref.held > 0) {
        // Refused: for want of room, or because our lease was taken back? The item says which.
        s = await refresh(true);
        if (s.leases.find((l) => l.id === ref.id)?.slots !== ref.held) lostLease();
      }
    }
    return 0;
  }

  /** Moves `k` leased slots back to `free`; run inside `serial`. */
  async function giveBack(k: number): Promise<void> {
    releasing = k;
    try {
      if (await shrinkLease(ddb, ref, k, Date.now() + o.leaseMs)) {
        ref.held -= k;
        if (state) state = { ...state, free: state.free + k };
      } else lostLease();
    } finally {
      releasing = 0;
    }
  }

  /** Gives back every slot not in use (if no request waits for one). */
  function returnSurplus(): void {
    void serial(async () => {
      const k = ref.held - granted;
      if (k <= 0 || (waiters.length > 0 && !closed && !state?.paused)) return;
      await giveBack(k);
    }).catch(fail);
  }

  /** Gives back the slots above this child's share that its requests no longer use, for the child that waits. */
  function trim(): void {
    if (trimQueued) return;
    trimQueued = true;
    void serial(async () => {
      trimQueued = false;
      const k = ref.held - Math.max(granted, keep());
      if (k > 0 && !closed) await giveBack(k);
    }).catch(fail);
  }

  function afterRelease(): void {
    if (ref.held > keep()) trim();
    if (waiters.length > 0) {
      wake?.();
      return kick();
    }
    if (closed) return;
    if (state?.paused || (state?.free ?? 0) < 0) return returnSurplus();
    idleTimer ??= setTimeout(() => {
      idleTimer = undefined;
      if (waiters.length === 0) returnSurplus();
    }, o.idleReturnMs).unref();
  }

  function release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // close() counts every slot as given back; a request that ends after it must not count twice.
      granted = Math.max(0, granted - 1);
      afterRelease();
    };
  }

  /** Hands out slots (and tokens) to waiters, one at a time, until none waits. */
  async function pump(): Promise<void> {
    while (waiters.length > 0 && !closed && !failure) {
      await ensureInit();
      const now = Date.now();
      const s = now - stateAt >= o.refreshMs ? await refresh(false) : state!;
      if (ref.held > keep() && ref.held > granted) trim();
      if (s.paused) {
        if (ref.held > granted) returnSurplus();
        await nap(o.refreshMs);
        continue;
      }
      const until = Math.max(s.notBefore, localNotBefore);
      if (until > now) {
        await nap(until - now);
        continue;
      }
      if (grantable() <= 0) {
        // The table is asked for more slots at the poll's pace, not each time a slot of our own comes back.
        if (now < nextPollAt) await nap(nextPollAt - now);
        else if ((await serial(grow)) > 0) polls = 0;
        else {
          // A child that holds its share only hopes for slots another leaves: it looks at the refresh's pace.
          const cap = wantUntil === 0 && ref.held > 0 ? o.refreshMs : pollCapMs(currentShare().children, s.limit);
          nextPollAt = Date.now() + Math.min(cap, 100 * 2 ** polls++) * (0.5 + Math.random() / 2);
          await nap(nextPollAt - Date.now());
        }
        continue;
      }
      if (s.rate !== undefined) {
        if (now - tokensAt > tokenTtlMs) tokens = 0;
        if (tokens < 1) {
          const want = Math.max(1, Math.min(waiters.length, grantable(), Math.floor(capacity(s.rate, o.burstSeconds))));
          const taken = await takeTokens(ddb, table, s, want, now, o);
          if (taken.kind === 'taken') {
            tokens = taken.granted;
            tokensAt = Date.now();
            state = taken.state;
            stateAt = tokensAt;
          } else if (taken.kind === 'empty') await nap(taken.waitMs);
          else await refresh(true);
          continue;
        }
        tokens -= 1;
      }
      granted += 1;
      waiters.shift()!.resolve(release());
    }
  }

  function kick(): void {
    if (pumping || closed) return;
    pumping = pump()
      .catch(fail)
      .finally(() => {
        pumping = undefined;
        if (waiters.length > 0 && !closed && !failure) kick();
      });
  }

  /** This child's best goodput of the last seconds scaled by its share of the leased slots: an estimate of the run's. */
  function estimatedGoodput(s: SharedState, now: number): number {
    const share = ref.held > 0 ? Math.max(1, (s.limit - s.free) / ref.held) : 1;
    return Math.max(goodput.perSecond(now), peakGoodput.perSecond(now)) * share;
  }

  /**
   * Lowers the shared rate after throttles kept coming back. From what got through before they
   * began rather than what was sent: a burst far past the source's limit would otherwise take many
   * halvings, and what got through during the throttling itself may be nothing. The rate climbs
   * back multiplicatively to that goodput, the rate that last worked (token-bucket.ts).
   */
  async function decrease(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = state!;
      const now = Date.now();
      if (now < s.holdUntil) return;
      const base = Math.min(s.rate ?? Infinity, estimatedGoodput(s, now));
      const rate = round3(Math.max(o.minRps, o.decreaseFactor * base));
      // Nothing got through lately: the rate that last worked is the one known before, if any.
      const probeTo = base >= o.minRps ? round3(Math.max(rate, base)) : s.probeTo;
      const from = Math.max(now, s.notBefore, localNotBefore);
      const after = await decreaseRate(ddb, table, s, rate, from, from + o.cooldownMs, probeTo);
      if (after) {
        state = after;
        stateAt = Date.now();
        return;
      }
      await refresh(true);
    }
  }

  /**
   * Writes the throttles this child met: the counts, the Retry-After deadline (a pause of every
   * child, with the rate left as it is) and the episode they belong to (throttle.ts). Only
   * `throttlesToDecrease` episodes in a row, each soon after the last, lower the rate.
   */
  async function flush(): Promise<void> {
    await ensureInit();
    while (pending429 + pending503 > 0) {
      const counts = { n429: pending429, n503: pending503 };
      const until = pendingUntil;
      pending429 = 0;
      pending503 = 0;
      pendingUntil = 0;
      let after: SharedState | undefined;
      for (let attempt = 0; attempt < 10 && !after; attempt++) {
        const s = attempt === 0 ? state! : await refresh(true);
        after = await recordThrottles(ddb, table, s, counts, until, nextEpisode(s, Date.now(), until, o.recurMs));
      }
      if (!after) {
        // Kept losing to other children's writes: the pause and the counts still go in, the episode does not.
        if (until > 0) await extendNotBefore(ddb, table, until);
        after = await countThrottled(ddb, table, counts.n429, counts.n503);
      }
      state = after;
      stateAt = Date.now();
      if (after.episodes >= o.throttlesToDecrease) await decrease();
    }
  }

  const renewTimer = setInterval(() => {
    if (ref.held === 0) return;
    void serial(async () => {
      if (ref.held > 0 && !(await renewLease(ddb, ref, Date.now() + o.leaseMs))) lostLease();
    }).catch(fail);
  }, Math.max(100, Math.floor(o.leaseMs / 3))).unref();

  return {
    acquire() {
      if (failure) return Promise.reject(failure.error);
      if (closed) return Promise.reject(new BudgetClosedError('the source budget is closed'));
      return new Promise<Release>((resolve, reject) => {
        waiters.push({ resolve, reject });
        kick();
      });
    },

    report(status, retryAfterMs) {
      if (closed) return;
      const now = Date.now();
      if (status !== 429 && status !== 503) {
        if (status < 400 || status === 404) {
          goodput.add(now);
          peakGoodput.add(now);
        }
        return;
      }
      if (status === 429) pending429 += 1;
      else pending503 += 1;
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        localNotBefore = Math.max(localNotBefore, now + retryAfterMs);
        pendingUntil = Math.max(pendingUntil, localNotBefore);
      }
      flushing ??= flush()
        .catch(fail)
        .finally(() => {
          flushing = undefined;
        });
    },

    async snapshot() {
      return { ...(await readBudgetState(ddb, table)), held: ref.held, granted, waiting: waiters.length, asking: wantUntil > 0 };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(renewTimer);
      if (idleTimer) clearTimeout(idleTimer);
      closing.abort();
      for (const w of waiters.splice(0)) w.reject(new BudgetClosedError('the source budget was closed while waiting for a slot'));
      await pumping;
      await flushing;
      granted = 0;
      returnSurplus();
      void serial(() => stopAsking(true)).catch(fail);
      await leaseChain;
      if (failure) throw failure.error;
    },
  };
}
