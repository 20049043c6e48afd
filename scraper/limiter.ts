import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Runs at most `max` tasks at once; the others wait in arrival order. */
export interface ConcurrencyLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createConcurrencyLimiter(max: number): ConcurrencyLimiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(task) {
      if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else running += 1;
      try {
        return await task();
      } finally {
        // Hand the slot straight to the next waiter so a newcomer cannot overtake it.
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
  };
}

/**
 * A client-wide pause: once the source asks us to wait (Retry-After), every request from
 * this client waits until the pause is over. Uses the monotonic clock so wall clock jumps
 * cannot shorten the wait.
 */
export interface PauseGate {
  /** Pauses for at least `ms` from now; a pause already running longer is kept. */
  pauseFor(ms: number): void;
  /** Resolves once no pause is running. */
  wait(): Promise<void>;
}

export function createPauseGate(): PauseGate {
  let until = 0;
  return {
    pauseFor(ms) {
      until = Math.max(until, performance.now() + ms);
    },
    async wait() {
      // Timers may fire a fraction of a ms early, and the pause may be extended while
      // we sleep: check again after each sleep.
      for (let left = until - performance.now(); left > 0; left = until - performance.now()) {
        await sleep(Math.ceil(left));
      }
    },
  };
}
