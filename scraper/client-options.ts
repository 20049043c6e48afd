import { InvalidOptionsError } from './errors.js';

/** Settings of a tax portal client. Only `baseUrl` is required. */
export interface TaxClientOptions {
  /** Root of a portal that follows shared/specs/tax-portal/README.md, e.g. `http://127.0.0.1:8080/`. http(s) only; a path prefix is kept. Required. */
  baseUrl: string;
  /** Limit for one HTTP request, from sending to the last body byte, in ms. Integer > 0. Default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt of each request; a request is sent at most `retries + 1` times. Integer >= 0. Default 6. */
  retries?: number;
  /** Backoff before retry n (0-based) is a uniform random delay in [0, min(backoffMaxMs, backoffBaseMs * 2^n)) (full jitter). Integer >= 0, ms. Default 200. */
  backoffBaseMs?: number;
  /** Cap of the backoff window, in ms. Integer >= 0. Default 10000. */
  backoffMaxMs?: number;
  /** Longest `Retry-After` the client will wait; a longer one fails the lookup with status ERROR. Integer >= 0, ms. Default 120000. */
  maxRetryAfterMs?: number;
  /** Most requests in flight at once from this client, over all lookups. Integer >= 1. Default 8. */
  concurrency?: number;
  /** `user-agent` header. Non-empty string. Default `'drover-scraper'`. */
  userAgent?: string;
  /** Sent as the `x-client-id` header when set, so the portal can tell workers apart. Non-empty string. Default: not sent. */
  clientId?: string;
  /** Awaited before every HTTP request, after a concurrency slot is taken (e.g. a shared rate budget). A rejection fails the lookup call. Default: none. */
  beforeRequest?: () => Promise<void>;
  /** Called with every HTTP status received and the `Retry-After` it carried, in ms, if any. Default: none. */
  onResponse?: (status: number, retryAfterMs?: number) => void;
}

/** Options with every default filled in. */
export type ResolvedTaxClientOptions = Required<Omit<TaxClientOptions, 'clientId' | 'beforeRequest' | 'onResponse'>> &
  Pick<TaxClientOptions, 'clientId' | 'beforeRequest' | 'onResponse'>;

export const TAX_CLIENT_DEFAULTS = {
  timeoutMs: 10_000,
  retries: 6,
  backoffBaseMs: 200,
  backoffMaxMs: 10_000,
  maxRetryAfterMs: 120_000,
  concurrency: 8,
  userAgent: 'drover-scraper',
} as const;

const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof TaxClientOptions>([
  'baseUrl', 'timeoutMs', 'retries', 'backoffBaseMs', 'backoffMaxMs', 'maxRetryAfterMs',
  'concurrency', 'userAgent', 'clientId', 'beforeRequest', 'onResponse',
]);

function integer(options: Record<string, unknown>, key: keyof typeof TAX_CLIENT_DEFAULTS, min: number): number {
  const value = options[key] ?? TAX_CLIENT_DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionsError(`tax client option ${key} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function text(options: Record<string, unknown>, key: 'userAgent' | 'clientId', fallback?: string): string | undefined {
  const value = options[key] ?? fallback;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionsError(`tax client option ${key} must be a non-empty string`);
  }
  return value;
}

function callback<T>(options: Record<string, unknown>, key: 'beforeRequest' | 'onResponse'): T | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidOptionsError(`tax client option ${key} must be a function`);
  return value as T;
}

function baseUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionsError('tax client option baseUrl is required (the portal root URL)');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidOptionsError(`tax client option baseUrl is not a URL: ${value}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionsError(`tax client option baseUrl must be http(s), got ${url.protocol}`);
  }
  return url.href;
}

/**
 * Validates tax client options and fills in the defaults.
 *
 * @throws {InvalidOptionsError} on a missing `baseUrl`, a bad value or an unknown key.
 */
export function resolveTaxClientOptions(options: TaxClientOptions): ResolvedTaxClientOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('tax client options must be an object');
  const raw = options as unknown as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw new InvalidOptionsError(`unknown tax client option(s): ${unknown.join(', ')}`);

  return {
    baseUrl: baseUrl(raw.baseUrl),
    timeoutMs: integer(raw, 'timeoutMs', 1),
    retries: integer(raw, 'retries', 0),
    backoffBaseMs: integer(raw, 'backoffBaseMs', 0),
    backoffMaxMs: integer(raw, 'backoffMaxMs', 0),
    maxRetryAfterMs: integer(raw, 'maxRetryAfterMs', 0),
    concurrency: integer(raw, 'concurrency', 1),
    userAgent: text(raw, 'userAgent', TAX_CLIENT_DEFAULTS.userAgent) as string,
    clientId: text(raw, 'clientId'),
    beforeRequest: callback(raw, 'beforeRequest'),
    onResponse: callback(raw, 'onResponse'),
  };
}
