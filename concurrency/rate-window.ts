/**
 * At most `limit` calls in any window of `windowMs` (a second unless told), handed out in order
 * of asking. A limit of 1 and a window of 1000/n spaces calls evenly, n a second.
 *
 * A caller reserves a slot and is told how long to wait for it; the slot is its own from then
 * on, so callers never race for the same one and a burst is spread out, first come first
 * served. Not a token bucket refilled at the rate with a burst of a window's worth: that one lets
 * twice the rate through in the second after an idle spell, and AWS's limits (SubmitJob about
 * 50 a second an account) are what a second may carry. An idle limiter still lets the first
 * `limit` calls go at once, so a few calls never wait.
 */
export class RateWindow {
  /** The times of the last `limit` slots (a ring): a new slot is a window after the oldest. */
  private readonly slots: number[] = [];
  private oldest = 0;
  /** Slots never go back in time, so the ring's oldest is also the earliest. */
  private last = -Infinity;

  constructor(
    readonly limit: number,
    readonly windowMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`calls per window must be a whole number of at least 1, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`the window must be longer than 0 ms, got ${windowMs}`);
  }

  /** Reserves the first free slot at least `afterMs` from now; returns the milliseconds until it. */
  reserve(afterMs = 0): number {
    const now = this.now();
    let at = Math.max(now + Math.max(0, afterMs), this.last);
    if (this.slots.length < this.limit) this.slots.push(at);
    else {
      at = Math.max(at, this.slots[this.oldest]! + this.windowMs);
      this.slots[this.oldest] = at;
      this.oldest = (this.oldest + 1) % this.limit;
    }
    this.last = at;
    return at - now;
  }

  /** Waits for a slot. */
  async acquire(): Promise<void> {
    const ms = this.reserve();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
