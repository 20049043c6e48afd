import { describe, expect, it } from '@jest/globals';
import { fullJitterDelay } from '../../scraper/backoff.js';
import { resolveTaxClientOptions, type TaxClientOptions } from '../../scraper/client-options.js';
import { InvalidOptionsError } from '../../scraper/errors.js';
import { createConcurrencyLimiter } from '../../scraper/limiter.js';
import { parseRetryAfter } from '../../scraper/retry-after.js';

describe('resolveTaxClientOptions', () => {
  it('fills the documented defaults', () => {
    expect(resolveTaxClientOptions({ baseUrl: 'http://portal.example:8080' })).toEqual({
      baseUrl: 'http://portal.example:8080/',
      timeoutMs: 10000,
      retries: 6,
      backoffBaseMs: 200,
      backoffMaxMs: 10000,
      maxRetryAfterMs: 120000,
      concurrency: 8,
      userAgent: 'drover-scraper',
      clientId: undefined,
      beforeRequest: undefined,
      onResponse: undefined,
    });
  });

  it.each([
    [{}, 'tax client option baseUrl is required (the portal root URL)'],
    [{ baseUrl: 'not a url' }, 'tax client option baseUrl is not a URL: not a url'],
    [{ baseUrl: 'ftp://portal' }, 'tax client option baseUrl must be http(s), got ftp:'],
    [{ baseUrl: 'http://p', retries: -1 }, 'tax client option retries must be an integer >= 0, got -1'],
    [{ baseUrl: 'http://p', concurrency: 0 }, 'tax client option concurrency must be an integer >= 1, got 0'],
    [{ baseUrl: 'http://p', timeoutMs: 1.5 }, 'tax client option timeoutMs must be an integer >= 1, got 1.5'],
    [{ baseUrl: 'http://p', clientId: '' }, 'tax client option clientId must be a non-empty string'],
    [{ baseUrl: 'http://p', onResponse: 'log' }, 'tax client option onResponse must be a function'],
    [{ baseUrl: 'http://p', retry: 3, proxy: 'x' }, 'unknown tax client option(s): retry, proxy'],
  ])('refuses %j', (options, message) => {
    let caught: unknown;
    try {
      resolveTaxClientOptions(options as unknown as TaxClientOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidOptionsError);
    expect(caught).toMatchObject({ name: 'InvalidOptionsError', code: 'SCRAPER_OPTIONS', message });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  it.each([
    ['1', 1000],
    [' 120 ', 120000],
    ['0', 0],
    ['Thu, 15 Jan 2026 12:00:30 GMT', 30000],
    ['Thu, 15 Jan 2026 11:59:00 GMT', 0],
    [['2', '5'], 2000],
  ] as const)('%j -> %i ms', (header, ms) => {
    expect(parseRetryAfter(header as string | string[], now)).toBe(ms);
  });

  it.each([undefined, '', 'soon', '-5', '1.5'])('%j -> undefined', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('fullJitterDelay', () => {
  it('spans [0, base * 2^n) capped at max', () => {
    expect(fullJitterDelay(0, 200, 10000, () => 0)).toBe(0);
    expect(fullJitterDelay(0, 200, 10000, () => 0.5)).toBe(100);
    expect(fullJitterDelay(3, 200, 10000, () => 0.999)).toBe(1598);
    expect(fullJitterDelay(10, 200, 10000, () => 0.5)).toBe(5000);
  });
});

describe('createConcurrencyLimiter', () => {
  it('runs at most max tasks at once, in arrival order, and frees slots on failure', async () => {
    const limiter = createConcurrencyLimiter(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (n === 1) throw new Error('task 1 failed');
      return n;
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => limiter.run(task(n))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual(['rejected', 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
