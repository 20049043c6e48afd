import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { TaxLookup } from '../../rating/types.js';
import { createTaxClient, type LookupCustomer, type TaxClientOptions } from '../../scraper/client.js';
import { startTestPortal, type TestPortal } from './support/portal-server.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.clear();
});

/** Small backoff so retries are quick; the waits under test come from Retry-After. */
function client(options: Partial<TaxClientOptions> = {}) {
  return createTaxClient({ baseUrl: portal.url, backoffBaseMs: 2, backoffMaxMs: 10, timeoutMs: 2000, ...options });
}

function parcel(parcelId: string): LookupCustomer {
  return { parcelId, searchName: 'DOUBLE R CATTLE CO', county: 'LINCOLN' };
}

const DELINQUENT: Omit<TaxLookup, 'attempts'> = {
  status: 'FOUND',
  parcelIds: ['12-345-678'],
  totalDueCents: 530362,
  delinquentYears: 1,
};

describe('lookup by parcel id', () => {
  it('reads the parcel page once, with the default user agent', async () => {
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 1 });
    expect(portal.requests.map((r) => r.url)).toEqual(['/parcels/12-345-678']);
    expect(portal.requests[0]?.headers['user-agent']).toBe('drover-scraper');
    expect(portal.requests[0]?.headers['x-client-id']).toBeUndefined();
  });

  it('sends the client id and user agent given', async () => {
    await client({ clientId: 'batch-3-of-40', userAgent: 'drover-test' }).lookup(parcel('07-001-230'));
    expect(portal.requests[0]?.headers['x-client-id']).toBe('batch-3-of-40');
    expect(portal.requests[0]?.headers['user-agent']).toBe('drover-test');
  });

  it('reads a paid parcel as nothing due', async () => {
    expect(await client().lookup(parcel('07-001-230'))).toEqual({
      status: 'FOUND',
      parcelIds: ['07-001-230'],
      totalDueCents: 0,
      delinquentYears: 0,
      attempts: 1,
    });
  });

  it('URL-encodes the parcel id', async () => {
    const lookup = await client().lookup(parcel('A/B 7'));
    expect(portal.requests.map((r) => r.url)).toEqual(['/parcels/A%2FB%207']);
    expect(lookup).toEqual({ ...DELINQUENT, parcelIds: ['A/B 7'], attempts: 1 });
  });

  it('answers NOT_FOUND on 404 after one attempt, without retrying', async () => {
    expect(await client().lookup(parcel('00-000-000'))).toEqual({
      status: 'NOT_FOUND',
      parcelIds: [],
      totalDueCents: 0,
      delinquentYears: 0,
      attempts: 1,
    });
    expect(portal.requests).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries 500s and counts every attempt', async () => {
    portal.misbehave({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 3 });
    expect(portal.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('gives up on a permanent 500 after retries + 1 attempts, with the reason', async () => {
    portal.misbehave(...Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 500 })));
    expect(await client({ retries: 3 }).lookup(parcel('12-345-678'))).toEqual({
      status: 'ERROR',
      parcelIds: [],
      totalDueCents: 0,
      delinquentYears: 0,
      attempts: 4,
      error: 'HTTP 500 after 4 attempts (GET /parcels/12-345-678)',
    });
    expect(portal.requests).toHaveLength(4);
  });

  it('makes 7 attempts with the default retries', async () => {
    portal.misbehave(...Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 502 })));
    const lookup = await client().lookup(parcel('12-345-678'));
    expect(lookup.status).toBe('ERROR');
    expect(lookup.attempts).toBe(7);
    expect(lookup.error).toBe('HTTP 502 after 7 attempts (GET /parcels/12-345-678)');
  });

  it('retries a reset connection', async () => {
    portal.misbehave({ kind: 'reset' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
    expect(portal.requests).toHaveLength(2);
  });

  it('reports permanent resets', async () => {
    portal.misbehave({ kind: 'reset' }, { kind: 'reset' });
    const lookup = await client({ retries: 1 }).lookup(parcel('12-345-678'));
    expect(lookup).toMatchObject({ status: 'ERROR', attempts: 2 });
    expect(lookup.error).toBe('connection reset (closed by the portal) after 2 attempts (GET /parcels/12-345-678)');
  });

  it('retries a 200 whose body is cut off', async () => {
    portal.misbehave({ kind: 'truncate' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
    expect(portal.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('reports permanent truncation', async () => {
    portal.misbehave({ kind: 'truncate' }, { kind: 'truncate' });
    const lookup = await client({ retries: 1 }).lookup(parcel('12-345-678'));
    expect(lookup).toMatchObject({ status: 'ERROR', attempts: 2 });
    expect(lookup.error).toBe('page truncated (no closing </html>) after 2 attempts (GET /parcels/12-345-678)');
  });

  it('retries a 200 whose connection drops mid-body', async () => {
    portal.misbehave({ kind: 'drop' }, { kind: 'drop' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 3 });
  });

  it('reports a connection that keeps dropping mid-body', async () => {
    portal.misbehave({ kind: 'drop' }, { kind: 'drop' });
    const lookup = await client({ retries: 1 }).lookup(parcel('12-345-678'));
    expect(lookup).toMatchObject({ status: 'ERROR', attempts: 2 });
    expect(lookup.error).toBe('page truncated (connection lost mid-body, closed by the portal) after 2 attempts (GET /parcels/12-345-678)');
  });

  it('retries a 200 maintenance page', async () => {
    portal.misbehave({ kind: 'maintenance200' }, { kind: 'maintenance200' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 3 });
  });

  it('retries a request that hangs past timeoutMs', async () => {
    portal.misbehave({ kind: 'hang' });
    expect(await client({ timeoutMs: 300 }).lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
  });

  it('reports permanent timeouts', async () => {
    portal.misbehave({ kind: 'hang' }, { kind: 'hang' });
    const lookup = await client({ timeoutMs: 300, retries: 1 }).lookup(parcel('12-345-678'));
    expect(lookup).toMatchObject({ status: 'ERROR', attempts: 2 });
    expect(lookup.error).toBe('timeout after 2 attempts (GET /parcels/12-345-678)');
  });

  it('does not retry other 4xx answers', async () => {
    portal.misbehave({ kind: 'status', status: 403 });
    const lookup = await client().lookup(parcel('12-345-678'));
    expect(lookup).toMatchObject({ status: 'ERROR', attempts: 1, error: 'HTTP 403 (GET /parcels/12-345-678)' });
  });
});

describe('Retry-After', () => {
  it('waits at least Retry-After seconds after a 429 before the next request', async () => {
    portal.misbehave({ kind: 'status', status: 429, retryAfter: '1' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
    const [throttled, next] = portal.requests;
    expect(throttled?.status).toBe(429);
    expect(next!.arrivedAt - throttled!.answeredAt!).toBeGreaterThanOrEqual(1000);
  });

  it('pauses the whole client: another lookup started during the pause waits too', async () => {
    portal.misbehave({ kind: 'status', status: 429, retryAfter: '1' });
    let other: Promise<TaxLookup> | undefined;
    const statuses: [number, number | undefined][] = [];
    const shared = client({
      onResponse: (status, retryAfterMs) => {
        statuses.push([status, retryAfterMs]);
        if (status === 429) other = shared.lookup(parcel('07-001-230'));
      },
    });
    const first = await shared.lookup(parcel('12-345-678'));
    const second = await other!;
    expect(first).toEqual({ ...DELINQUENT, attempts: 2 });
    expect(second).toMatchObject({ status: 'FOUND', parcelIds: ['07-001-230'], attempts: 1 });
    const throttled = portal.requests[0]!;
    const paid = portal.requests.find((r) => r.url === '/parcels/07-001-230')!;
    expect(paid.arrivedAt - throttled.answeredAt!).toBeGreaterThanOrEqual(1000);
    expect(statuses).toContainEqual([429, 1000]);
    expect(statuses.filter(([status]) => status === 200)).toHaveLength(2);
  });

  it('honours Retry-After on a 503 maintenance answer', async () => {
    portal.misbehave({ kind: 'status', status: 503, retryAfter: '1' });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
    const [maintenance, next] = portal.requests;
    expect(maintenance?.status).toBe(503);
    expect(next!.arrivedAt - maintenance!.answeredAt!).toBeGreaterThanOrEqual(1000);
  });

  it('retries a 503 without Retry-After on the backoff alone', async () => {
    portal.misbehave({ kind: 'status', status: 503 });
    expect(await client().lookup(parcel('12-345-678'))).toEqual({ ...DELINQUENT, attempts: 2 });
  });

  it('fails the record when Retry-After is longer than maxRetryAfterMs', async () => {
    portal.misbehave({ kind: 'status', status: 429, retryAfter: '300' });
    expect(await client().lookup(parcel('12-345-678'))).toMatchObject({
      status: 'ERROR',
      attempts: 1,
      error: 'HTTP 429 with Retry-After 300000 ms, more than maxRetryAfterMs 120000 (GET /parcels/12-345-678)',
    });
    expect(portal.requests).toHaveLength(1);
  });
});

describe('lookup by owner', () => {
  const owner: LookupCustomer = { parcelId: '', searchName: ' double  r cattle co ', county: 'LINCOLN' };

  it('searches by upper-cased single-spaced owner and county, then sums every parcel', async () => {
    expect(await client().lookup(owner)).toEqual({
      status: 'FOUND',
      parcelIds: ['12-345-678', '12-345-679'],
      // 5,303.62 + 1,185.75
      totalDueCents: 648937,
      // 2025 on both parcels counts once, plus 2024.
      delinquentYears: 2,
      attempts: 3,
    });
    expect(portal.requests[0]?.url).toBe('/search?owner=DOUBLE%20R%20CATTLE%20CO&county=LINCOLN');
    expect(portal.requests.slice(1).map((r) => r.url).sort()).toEqual(['/parcels/12-345-678', '/parcels/12-345-679']);
  });

  it('sends the county as it sends the owner: upper case, single spaces, trimmed, whatever the sheet said', async () => {
    // The test portal matches owner and county exactly, as the spec allows a portal to.
    for (const county of ['lincoln', 'Lincoln', '  Lincoln ', ' LINCOLN', 'LinCOLN\t']) {
      portal.clear();
      expect(await client().lookup({ parcelId: '', searchName: 'Double R  Cattle Co', county })).toMatchObject({
        status: 'FOUND',
        parcelIds: ['12-345-678', '12-345-679'],
        totalDueCents: 648937,
      });
      expect(portal.requests[0]?.url).toBe('/search?owner=DOUBLE%20R%20CATTLE%20CO&county=LINCOLN');
    }
    portal.clear();
    await client().lookup({ parcelId: '', searchName: '\u00a0mary  o\u2019brien\n', county: ' box   butte ' });
    expect(portal.requests.map((r) => r.url)).toEqual(['/search?owner=MARY%20O%E2%80%99BRIEN&county=BOX%20BUTTE']);
  });

  it('counts retries of the search and of the parcels', async () => {
    // Search: 500, then cut off, then whole; then one parcel read gets a maintenance page.
    portal.misbehave({ kind: 'status', status: 500 }, { kind: 'truncate' }, { kind: 'maintenance200' });
    const lookup = await client().lookup(owner);
    expect(lookup).toMatchObject({ status: 'FOUND', totalDueCents: 648937, delinquentYears: 2, attempts: 6 });
    expect(portal.requests).toHaveLength(6);
    expect(portal.requests.slice(0, 3).map((r) => r.url.split('?')[0])).toEqual(['/search', '/search', '/search']);
  });

  it('answers NOT_FOUND for an empty search', async () => {
    expect(await client().lookup({ parcelId: '', searchName: 'NOBODY IN PARTICULAR', county: 'LINCOLN' })).toEqual({
      status: 'NOT_FOUND',
      parcelIds: [],
      totalDueCents: 0,
      delinquentYears: 0,
      attempts: 1,
    });
  });

  it('fails when a listed parcel cannot be read', async () => {
    const lookup = await client().lookup({ parcelId: '', searchName: 'GHOST RANCH', county: 'LINCOLN' });
    expect(lookup).toEqual({
      status: 'ERROR',
      parcelIds: [],
      totalDueCents: 0,
      delinquentYears: 0,
      attempts: 3,
      error: 'parcel 99-999-999 listed by the search answered 404',
    });
  });

  it('fails without a request when there is neither parcel id nor name', async () => {
    expect(await client().lookup({ parcelId: '', searchName: ' ', county: 'LINCOLN' })).toMatchObject({
      status: 'ERROR',
      attempts: 0,
      error: 'customer has neither a parcel id nor an owner name',
    });
    expect(portal.requests).toHaveLength(0);
  });
});

describe('client-wide limits and hooks', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    portal.delayMs = 100;
    const shared = client({ concurrency: 2 });
    const lookups = await Promise.all(Array.from({ length: 6 }, () => shared.lookup(parcel('12-345-678'))));
    expect(lookups).toEqual(Array.from({ length: 6 }, () => ({ ...DELINQUENT, attempts: 1 })));
    expect(portal.requests).toHaveLength(6);
    expect(portal.maxInFlight).toBe(2);
  });

  it('awaits beforeRequest before every HTTP request and reports every status', async () => {
    portal.misbehave({ kind: 'status', status: 500 }, { kind: 'reset' });
    const events: string[] = [];
    const lookup = await client({
      beforeRequest: async () => {
        events.push(`before#${portal.requests.length}`);
      },
      onResponse: (status) => events.push(`status ${status}`),
    }).lookup(parcel('12-345-678'));
    expect(lookup.attempts).toBe(3);
    expect(events).toEqual(['before#0', 'status 500', 'before#1', 'before#2', 'status 200']);
  });

  it('rejects the lookup when beforeRequest rejects (not a source failure)', async () => {
    const failing = client({ beforeRequest: () => Promise.reject(new Error('rate budget table unreachable')) });
    await expect(failing.lookup(parcel('12-345-678'))).rejects.toThrow('rate budget table unreachable');
    expect(portal.requests).toHaveLength(0);
  });
});
