import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { fullJitterDelay } from './backoff.js';
import type { ResolvedTaxClientOptions } from './client-options.js';
import { errorWithCode } from '../errors/drover-error.js';
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
  /** Closes the kept-alive connections; fetch after close rejects. */
  close(): Promise<void>;
}

/** An answer as far as the fetcher needs it. */
interface Answer {
  statusCode: number;
  retryAfter: string | undefined;
  body: string;
}

/** One attempt's verdict: done (answer or hard failure) or a fault worth another try. */
type Verdict<T> = FetchOutcome<T> | { kind: 'fault'; reason: string };

/** Statuses the portal spec calls faults: overload, maintenance and server errors. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A request that failed before an answer: the words a person reads in the ERROR row. */
function describeRequestError(error: RequestFailure): string {
  const { cause, phase } = error;
  const e = cause as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  // undici names a socket the other side ended UND_ERR_SOCKET, which says less than it knows.
  const code = e.code === 'UND_ERR_SOCKET' ? 'closed by the portal' : (e.cause?.code ?? e.code ?? e.name ?? 'ERROR');
  // The status line arrived but the body did not: the spec's cut-off page, seen from the socket.
  if (phase === 'body') return `page truncated (connection lost mid-body, ${code})`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || e.code === 'UND_ERR_SOCKET') {
    return `connection reset (${code})`;
  }
  return `${code}: ${e.message ?? String(cause)}`;
}

/** The HTTP exchange failed (no answer, or an answer cut off): a fault worth another try. */
class RequestFailure extends errorWithCode('RequestFailure', 'SCRAPER_REQUEST_FAILED') {
  readonly phase: 'headers' | 'body';
  override readonly cause: unknown;

  constructor(message: string, options: { phase: 'headers' | 'body'; cause: unknown }) {
    super(message, options);
    this.phase = options.phase;
    this.cause = options.cause;
  }
}

/**
 * Builds the fetcher behind the tax client: undici, with a connection pool of the client's
 * concurrency, wrapped in a loop with full-jitter backoff, a concurrency limit and a
 * client-wide Retry-After pause (a 200 that is cut off or is a maintenance page must be
 * retried too, and every attempt counted). undici over got: a request costs about a fifth
 * of the CPU (bench/results.md), and the children are CPU-bound.
 */
export function createPageFetcher(options: ResolvedTaxClientOptions): PageFetcher {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const agent = new Agent({ connections: options.concurrency });
  const headers = {
    'user-agent': options.userAgent,
    ...(options.clientId === undefined ? {} : { 'x-client-id': options.clientId }),
  };

  /** One GET, bounded by timeoutMs from start to the last byte. */
  async function get(path: string): Promise<Answer> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    let response;
    try {
      response = await request(new URL(path, base), { dispatcher: agent, headers, signal });
    } catch (error) {
      if ((error as { code?: string }).code === 'UND_ERR_INVALID_ARG') throw error;
      throw new RequestFailure('request failed in its headers', { phase: 'headers', cause: error });
    }
    try {
      const retryAfter = response.headers['retry-after'];
      return { statusCode: response.statusCode, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: await response.body.text() };
    } catch (error) {
      throw new RequestFailure('request failed in its body', { phase: 'body', cause: error });
    }
  }

  const limiter = createConcurrencyLimiter(options.concurrency);
  const gate = createPauseGate();

  function judge<T>(response: Answer, parse: (html: string) => T, notFoundIsAnswer: boolean): Verdict<T> {
    const status = response.statusCode;
    const retryAfterMs = parseRetryAfter(response.retryAfter);
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
      let response: Answer;
      try {
        response = await get(path);
      } catch (error) {
        if (error instanceof RequestFailure) return { kind: 'fault', reason: describeRequestError(error) };
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
    close: () => agent.close(),
  };
}
