import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `check` returns a value other than undefined/false, so tests wait on a
 * condition rather than on a fixed sleep. The limit only bounds a broken test.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, limitMs = 90_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(delay);
  }
}
