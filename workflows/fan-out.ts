import { CancellationScope, condition } from '@temporalio/workflow';

/**
 * The items of a fan-out as they come (a credit check's chunks, as ingest stores them), and
 * whether all have come. The first failure, of the feed's source or of an item, is the one the
 * fan-out reports: it cancels the scope the fan-out runs in, so the work in flight is stopped.
 */
export class WorkFeed<T> {
  readonly items: T[] = [];
  /** true once the source has told of every item. */
  complete = false;
  /** The first failure, of the source or of an item: the one the run reports. */
  failure?: unknown;

  /** `keyOf` tells one item from another: an item told of again (by a retried source) is added once. */
  constructor(private readonly keyOf: (item: T) => unknown) {}

  /** Adds the item unless it is there already; true when added. */
  add(item: T): boolean {
    const key = this.keyOf(item);
    if (this.items.some((i) => this.keyOf(i) === key)) return false;
    this.items.push(item);
    return true;
  }

  find(key: unknown): T | undefined {
    return this.items.find((i) => this.keyOf(i) === key);
  }

  /** Keeps the first failure and cancels the rest of the current scope: the work in flight is stopped. */
  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err;
    CancellationScope.current().cancel();
  }
}

/** What holds a fan-out back, read each time it could start an item: the run's controls change it. */
export interface FanOutGate {
  readonly paused: boolean;
  readonly maxInFlight: number;
}

/** Items running and done, kept up to date by the fan-out. */
export interface FanOutCounts {
  running: number;
  done: number;
}

/**
 * Runs the feed's items as they come (or, unless `asTheyCome`, once the feed is complete), with
 * at most `gate.maxInFlight` at once, holding new ones back while `gate.paused`, until the feed
 * is complete and every item has run. Run it in a cancellable scope of its own: a failure
 * cancels that scope, waits for the items in flight to stop, and is thrown.
 */
export async function fanOut<T>(feed: WorkFeed<T>, run: (item: T) => Promise<void>, gate: FanOutGate, counts: FanOutCounts, asTheyCome: boolean): Promise<void> {
  let next = 0;
  const running = new Set<Promise<void>>();
  const failed = () => feed.failure !== undefined;
  try {
    for (;;) {
      await condition(
        () => failed() || (next === feed.items.length ? feed.complete : (asTheyCome || feed.complete) && !gate.paused && running.size < gate.maxInFlight),
      );
      if (failed() || next === feed.items.length) break;
      const item = feed.items[next++]!;
      counts.running++;
      const p: Promise<void> = run(item)
        .then(() => {
          counts.done++;
        })
        .catch((err: unknown) => feed.fail(err))
        .finally(() => {
          counts.running--;
          running.delete(p);
        });
      running.add(p);
    }
  } catch (err) {
    // The loop's own wait is cancelled with the scope; the item's (or the source's) failure is the one to report.
    if (!failed()) throw err;
  } finally {
    // On cancellation too: the work in flight must finish stopping before compensations run.
    await Promise.all(running);
  }
  if (feed.failure !== undefined) throw feed.failure;
}
