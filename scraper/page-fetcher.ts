import { setTimeout as sleep } from 'node:timers/promises';
import got, { RequestError, type Response } from 'got';
import { fullJitterDelay } from './backoff.js';
import type { ResolvedTaxClientOptions } from './client-options.js';
import { IncompletePageError } from './errors.js';
import { createConcurrencyLimiter, createPauseGate } from './limiter.js';
import { parseRetryAfter } from './retry-after.js';

/** How one page read ended. `attempts` counts every HTTP request sent for it. */
export type FetchOutcome<T> =
  | { kind: 'ok'; value: T; attempts: number }
  | { kind: 'not-found'; attempts: number }
  | { kind: 'error'; error: string; attempts: number };

export interface PageFetcher {
  /**
   * GETs `path` (relative to the base URL, already URL-encoded) and parses the body,
   * retrying faults. Never rejects for source failures; rejects only if a hook does.
   *
   * @param notFoundIsAnswer when true a 404 is the answer "no such thing" (never retried);
   *   otherwise it fails the read.
   */
  fetch<T>(path: string, parse: (html: string) => T, notFoundIsAnswer: boolean): Promise<FetchOutcome<T>>;
}

/** One attempt's verdict: done (answer or hard failure) or a fault worth another try. */
type Verdict<T> = FetchOutcome<T> | { kind: 'fault'; reason: string };

/** Statuses the portal spec calls faults: overload, maintenance and server errors. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function describeRequestError(error: RequestError): string {
  if (error.name === 'TimeoutError') return 'timeout';
  // The status line arrived but the body did not: the spec's cut-off page, seen from the socket.
  if (error.name === 'ReadError') return `page truncated (connection lost mid-body, ${error.code})`;
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || /socket hang up/i.test(error.message)) {
    return `connection reset (${error.code})`;
  }
  return `${error.code || error.name}: ${error.message}`;
}

/**
 * Builds the fetcher behind the tax client: got with its own retries off (a 200 that is cut
 * off or is a maintenance page must be retried too, and every attempt counted), wrapped in
 * a loop with full-jitter backoff, a concurrency limit and a client-wide Retry-After pause.
 */
export function createPageFetcher(options: ResolvedTaxClientOptions): PageFetcher {
  const http = got.extend({
    prefixUrl: options.baseUrl,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    responseType: 'text',
    headers: {
      'user-agent': options.userAgent,
      ...(options.clientId === undefined ? {} : { 'x-client-id': options.clientId }),
    },
  });
  const limiter = createConcurrencyLimiter(options.concurrency);
  const gate = createPauseGate();

  function judge<T>(response: Response<string>, parse: (html: string) => T, notFoundIsAnswer: boolean): Verdict<T> {
    const status = response.statusCode;
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    options.onResponse?.(status, retryAfterMs);

    if (status >= 200 && status < 300) {
      try {
        return { kind: 'ok', value: parse(response.body), attempts: 0 };
      } catch (error) {
        if (error instanceof IncompletePageError) return { kind: 'fault', reason: error.message };
        // A whole page that breaks the spec: asking again returns the same page.
        return { kind: 'error', error: error instanceof Error ? error.message : String(error), attempts: 0 };
      }
    }
    if (status === 404 && notFoundIsAnswer) return { kind: 'not-found', attempts: 0 };
    if (!isRetryableStatus(status)) return { kind: 'error', error: `HTTP ${status}`, attempts: 0 };
    if (retryAfterMs !== undefined) {
      if (retryAfterMs > options.maxRetryAfterMs) {
        return {
          kind: 'error',
          error: `HTTP ${status} with Retry-After ${retryAfterMs} ms, more than maxRetryAfterMs ${options.maxRetryAfterMs}`,
          attempts: 0,
        };
      }
      // The source throttles the client, not the request: everyone waits.
      gate.pauseFor(retryAfterMs);
    }
    return { kind: 'fault', reason: `HTTP ${status}` };
  }

  async function attempt<T>(path: string, parse: (html: string) => T, notFoundIsAnswer: boolean): Promise<Verdict<T>> {
    return limiter.run(async () => {
      await options.beforeRequest?.();
      await gate.wait();
      let response: Response<string>;
      try {
        response = await http.get(path);
      } catch (error) {
        if (error instanceof RequestError) return { kind: 'fault', reason: describeRequestError(error) };
        throw error;
      }
      return judge(response, parse, notFoundIsAnswer);
    });
  }

  return {
    async fetch(path, parse, notFoundIsAnswer) {
      const where = `GET /${path}`;
      for (let attempts = 1; ; attempts += 1) {
        const verdict = await attempt(path, parse, notFoundIsAnswer);
        if (verdict.kind === 'ok' || verdict.kind === 'not-found') return { ...verdict, attempts };
        if (verdict.kind === 'error') return { kind: 'error', error: `${verdict.error} (${where})`, attempts };
        if (attempts > options.retries) {
          return { kind: 'error', error: `${verdict.reason} after ${attempts} attempts (${where})`, attempts };
        }
        await sleep(fullJitterDelay(attempts - 1, options.backoffBaseMs, options.backoffMaxMs));
      }
    },
  };
}
