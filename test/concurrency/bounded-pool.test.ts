import { describe, expect, it } from '@jest/globals';
import { BoundedPool } from '../../concurrency/bounded-pool.js';

/** A task that ends when the test says so. */
function gate(): { promise: Promise<void>; open(): void; fail(error: Error): void } {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('BoundedPool', () => {
  it('keeps at most `limit` tasks running and runs every task once, in order of add', async () => {
    const pool = new BoundedPool(3);
    let running = 0;
    let peak = 0;
    const ran: number[] = [];
    for (let i = 0; i < 50; i++) {
      await pool.add(async () => {
        running += 1;
        peak = Math.max(peak, running);
        ran.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      });
    }
    await pool.drain();
    expect(peak).toBe(3);
    expect(running).toBe(0);
    expect(ran).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('holds `add` back until a slot frees, and hands that slot to the oldest waiting add', async () => {
    const pool = new BoundedPool(1);
    const first = gate();
    await pool.add(() => first.promise);
    const order: string[] = [];
    const second = pool.add(async () => void order.push('second'));
    const third = pool.add(async () => void order.push('third'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first.open();
    await Promise.all([second, third]);
    await pool.drain();
    expect(order).toEqual(['second', 'third']);
  });

  it('drain waits for the tasks still running', async () => {
    const pool = new BoundedPool(4);
    const slow = gate();
    let done = false;
    await pool.add(async () => {
      await slow.promise;
      done = true;
    });
    const drained = pool.drain();
    setImmediate(() => slow.open());
    await drained;
    expect(done).toBe(true);
  });

  it('rethrows the first failure from the next add and from drain, and runs no task after it', async () => {
    const pool = new BoundedPool(2);
    const failing = gate();
    await pool.add(() => failing.promise);
    failing.fail(new Error('first'));
    await new Promise((resolve) => setImmediate(resolve));
    let ranAfter = false;
    await expect(
      pool.add(async () => {
        ranAfter = true;
      }),
    ).rejects.toThrow('first');
    await expect(pool.drain()).rejects.toThrow('first');
    expect(ranAfter).toBe(false);
  });

  it('counts a task that throws before returning a promise as a failure', async () => {
    const pool = new BoundedPool(1);
    await pool.add(() => {
      throw new Error('sync');
    });
    await expect(pool.drain()).rejects.toThrow('sync');
  });

  it('refuses a limit below 1', () => {
    expect(() => new BoundedPool(0)).toThrow('pool limit must be a whole number of at least 1, got 0');
  });
});
