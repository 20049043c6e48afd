/**
 * Runs tasks with at most `limit` in flight. `add` waits for a free slot, so a producer
 * reading a large input is held back instead of buffering it. The first failure is kept
 * and rethrown by the next `add` or by `drain`, so no rejection goes unhandled.
 *
 * A finished task wakes one waiting `add` from a queue. Not `Promise.race(running)`: each
 * race puts a reaction on every running task, so a pool of 100 fed 20,000 tasks piles up
 * about two million reactions (measured: 16.9 s against 15.6 s for 20,000 lookups at 100).
 */
export class BoundedPool {
  private running = 0;
  private readonly idle: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`pool limit must be a whole number of at least 1, got ${limit}`);
  }

  async add(task: () => Promise<unknown>): Promise<void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.idle.push(resolve));
    else this.running += 1;
    // The slot is ours from here: handed over by a finished task, or taken above.
    if (this.failure) {
      this.finish();
      throw this.failure.error;
    }
    let started: Promise<unknown>;
    try {
      started = task();
    } catch (error) {
      started = Promise.reject(error);
    }
    void started.then(
      () => this.finish(),
      (error: unknown) => {
        this.failure ??= { error };
        this.finish();
      },
    );
  }

  async drain(): Promise<void> {
    if (this.running > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    if (this.failure) throw this.failure.error;
  }

  /** Hands the slot to the next waiting `add`, or frees it. */
  private finish(): void {
    const next = this.idle.shift();
    if (next) return next();
    this.running -= 1;
    if (this.running === 0) for (const resolve of this.drained.splice(0)) resolve();
  }
}
