import { describe, expect, it } from '@jest/globals';
import { RateWindow } from '../../concurrency/rate-window.js';

/** A clock the test moves by hand: the limiter's slots are counted, not timed. */
function clock(start = 1_000_000): { now: () => number; set(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = start + ms) };
}

describe('RateWindow', () => {
  it('lets `limit` calls go at once, then one a window after each, in order of asking', () => {
    const c = clock();
    const w = new RateWindow(2, 1000, c.now);
    expect(Array.from({ length: 7 }, () => w.reserve())).toEqual([0, 0, 1000, 1000, 2000, 2000, 3000]);
  });

  it('never puts more than `limit` slots in any window, however the asks are spread', () => {
    const c = clock();
    const w = new RateWindow(3, 1000, c.now);
    const slots: number[] = [];
    // Asks at uneven times, some with a gathering delay of their own.
    for (const [at, after] of [[0, 0], [10, 0], [20, 500], [30, 0], [400, 0], [900, 0], [950, 20], [2500, 0], [2510, 0], [2520, 0], [2530, 0]] as const) {
      c.set(at);
      slots.push(at + w.reserve(after));
    }
    // Slots never go back in time, and any `limit + 1` consecutive ones span a whole window.
    for (let i = 1; i < slots.length; i++) expect(slots[i]!).toBeGreaterThanOrEqual(slots[i - 1]!);
    for (let i = 3; i < slots.length; i++) expect(slots[i]! - slots[i - 3]!).toBeGreaterThanOrEqual(1000);
    expect(slots[2]).toBe(520); // the gathering delay counts
    expect(slots[3]).toBe(1000); // the fourth waits a window after the first
  });

  it('spaces calls evenly with a limit of one', () => {
    const c = clock();
    const w = new RateWindow(1, 200, c.now);
    expect([w.reserve(), w.reserve(), w.reserve()]).toEqual([0, 200, 400]);
    c.set(5000);
    // After an idle spell the next call goes at once.
    expect(w.reserve()).toBe(0);
    expect(w.reserve(20)).toBe(200);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => new RateWindow(0)).toThrow(RangeError);
    expect(() => new RateWindow(1.5)).toThrow(RangeError);
    expect(() => new RateWindow(1, 0)).toThrow(RangeError);
  });
});
