import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PortalDataset } from '../../portal/dataset.js';
import { PortalOptionsError } from '../../portal/errors.js';
import type { FaultKind } from '../../portal/faults.js';
import { pageStyle } from '../../portal/page-style.js';
import { maintenancePage, parcelPage } from '../../portal/render.js';
import { startPortal, type Portal, type PortalOptions } from '../../portal/server.js';
import { parseMoney, readParcelPage, readSearchPage, specPage } from './support.js';

const dataset = new PortalDataset();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a portal for one test and closes it afterwards, even when the test fails. */
async function withPortal<T>(options: PortalOptions, use: (portal: Portal) => Promise<T>): Promise<T> {
  const portal = await startPortal(options);
  try {
    return await use(portal);
  } finally {
    await portal.close();
  }
}

/** Status and body, or the error code when the connection fails. */
async function outcome(url: string, init?: RequestInit): Promise<string> {
  try {
    const res = await fetch(url, init);
    const body = await res.text();
    return `${res.status}${body.trimEnd().endsWith('</html>') ? '' : ' cut'}`;
  } catch (error) {
    return `error ${String((error as { cause?: { code?: string } }).cause?.code)}`;
  }
}

function firstUnknownParcelId(): string {
  for (let n = 20_000_000; ; n++) {
    const digits = String(n);
    const id = `${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}`;
    if (dataset.parcel(id) === undefined) return id;
  }
}

describe('portal routes', () => {
  let portal: Portal;
  beforeAll(async () => {
    portal = await startPortal({ dataset });
  });
  afterAll(async () => {
    await portal.close();
  });

  it('serves 12-345-678 with the figures of pages/parcel-delinquent.html', async () => {
    const res = await fetch(`${portal.url}/parcels/12-345-678`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toBe(specPage('parcel-delinquent.html'));
    const page = readParcelPage(html);
    expect(page.parcelId).toBe('12-345-678');
    expect(page.owner).toBe('DOUBLE R CATTLE CO');
    expect(page.rows.map((r) => r[0])).toEqual(['2026', '2025', '2024', '2023']);
    expect(page.rows.map((r) => r[4])).toEqual(['DUE', 'DELINQUENT', 'PAID', 'PAID']);
    expect(page.rows.map((r) => parseMoney(r[3] ?? ''))).toEqual([321040, 210522, 0, -1200]);
    expect(parseMoney(page.total)).toBe(530362);
  });

  it('serves 07-001-230 with the figures of pages/parcel-paid.html, the id URL-decoded', async () => {
    const res = await fetch(`${portal.url}/parcels/07%2D001%2D230`);
    expect(res.status).toBe(200);
    const page = readParcelPage(await res.text());
    expect(page).toEqual({
      parcelId: '07-001-230',
      owner: 'MARIA & JOSE HERNANDEZ',
      county: 'LINCOLN',
      rows: [
        ['2026', '$812.00', '$812.00', '—', 'PAID'],
        ['2025', '$790.50', '$790.50', '$0.00', 'PAID'],
      ],
      total: '$0.00',
    });
  });

  it('serves a generated parcel with the dataset figures', async () => {
    const customer = dataset.customers(20).find((c) => c.parcelId !== '' && dataset.parcel(c.parcelId) !== undefined);
    const parcel = dataset.parcel(customer?.parcelId ?? '');
    if (parcel === undefined) throw new Error('no generated parcel among the first customers');
    const page = readParcelPage(await (await fetch(`${portal.url}/parcels/${parcel.parcelId}`)).text());
    expect(page.parcelId).toBe(parcel.parcelId);
    expect(page.owner).toBe(parcel.owner);
    expect(page.rows.map((r) => [Number(r[0]), parseMoney(r[1] ?? ''), parseMoney(r[2] ?? ''), parseMoney(r[3] ?? ''), r[4]])).toEqual(
      parcel.history.map((h) => [h.year, h.billedCents, h.paidCents, h.balanceCents, h.status]),
    );
  });

  it('answers 404 with the not-found page for unknown and malformed parcel ids', async () => {
    for (const id of [firstUnknownParcelId(), '1234', '%E0%A4%A']) {
      const res = await fetch(`${portal.url}/parcels/${id}`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe(specPage('parcel-not-found.html'));
    }
  });

  it('lists search results for an owner and county sent upper-case, single-spaced and trimmed', async () => {
    const res = await fetch(`${portal.url}/search?owner=${encodeURIComponent('DOUBLE R CATTLE CO')}&county=LINCOLN`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toBe(specPage('search-results.html'));
    expect(readSearchPage(html)).toEqual({
      links: ['/parcels/12-345-678', '/parcels/12-345-679'],
      texts: ['DOUBLE R CATTLE CO — 4410 COUNTY ROAD 12, NORTH PLATTE', 'DOUBLE R CATTLE CO — COUNTY ROAD 12 (PASTURE)'],
      noResults: false,
    });

    const named = dataset.roster()[5];
    if (named === undefined) throw new Error('short roster');
    const params = new URLSearchParams({ owner: named.owner, county: named.county });
    const found = readSearchPage(await (await fetch(`${portal.url}/search?${params.toString()}`)).text());
    expect(found.links).toEqual(dataset.search(named.owner, named.county).map((p) => `/parcels/${p.parcelId}`));
    expect(found.links.length).toBeGreaterThan(0);
  });

  it('matches owner and county exactly: any other spelling gets the empty search', async () => {
    for (const [owner, county] of [
      ['DOUBLE R CATTLE CO', 'lincoln'],
      ['DOUBLE R CATTLE CO', 'Lincoln'],
      ['DOUBLE R CATTLE CO', '  Lincoln '],
      ['DOUBLE R CATTLE CO', ' LINCOLN'],
      ['double r  cattle co', 'LINCOLN'],
      ['Double R Cattle Co', 'LINCOLN'],
      ['DOUBLE R  CATTLE CO', 'LINCOLN'],
      ['DOUBLE R CATTLE CO ', 'LINCOLN'],
    ] as const) {
      const res = await fetch(`${portal.url}/search?${new URLSearchParams({ owner, county }).toString()}`);
      expect(res.status).toBe(200);
      expect(readSearchPage(await res.text())).toEqual({ links: [], texts: [], noResults: true });
    }
    // The same owner and county in the normal form are found, by either way of writing a space.
    for (const query of ['owner=DOUBLE+R+CATTLE+CO&county=LINCOLN', 'owner=DOUBLE%20R%20CATTLE%20CO&county=LINCOLN']) {
      const found = readSearchPage(await (await fetch(`${portal.url}/search?${query}`)).text());
      expect(found.links).toEqual(['/parcels/12-345-678', '/parcels/12-345-679']);
    }
  });

  it('answers an empty search with no items and p.no-results', async () => {
    const res = await fetch(`${portal.url}/search?owner=NOBODY+IN+PARTICULAR&county=LINCOLN`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toBe(specPage('search-empty.html'));
    expect(readSearchPage(html)).toEqual({ links: [], texts: [], noResults: true });
    const missing = await (await fetch(`${portal.url}/search`)).text();
    expect(readSearchPage(missing).noResults).toBe(true);
  });

  it('answers /healthz, refuses other methods and counts answers in /__stats', async () => {
    await withPortal({}, async (own) => {
      expect(await (await fetch(`${own.url}/healthz`)).text()).toBe('ok');
      const post = await fetch(`${own.url}/parcels/12-345-678`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      await (await fetch(`${own.url}/parcels/12-345-678`)).text();
      await (await fetch(`${own.url}/parcels/1234`)).text();
      await (await fetch(`${own.url}/nowhere`)).text();
      const stats = (await (await fetch(`${own.url}/__stats`)).json()) as Record<string, unknown>;
      // /healthz and /__stats are not portal traffic: not counted.
      expect(stats).toEqual({ requests: 4, inFlight: 0, peakInFlight: 1, byStatus: { '200': 1, '404': 2, '405': 1 }, faults: {}, tooEarly: 0 });
      expect(own.stats()).toEqual(stats);
    });
  });
});

describe('portal faults', () => {
  const parcelUrl = (portal: Portal): string => `${portal.url}/parcels/12-345-678`;
  const faulty = (kind: FaultKind, extra: PortalOptions = {}): PortalOptions => ({ faultRate: 1, faultKinds: [kind], ...extra });

  it('500: answers 500', async () => {
    await withPortal(faulty('500'), async (portal) => {
      expect((await fetch(parcelUrl(portal))).status).toBe(500);
      expect(portal.stats().faults).toEqual({ '500': 1 });
    });
  });

  it('reset: the connection fails', async () => {
    await withPortal(faulty('reset'), async (portal) => {
      expect(await outcome(parcelUrl(portal))).toBe('error ECONNRESET');
      expect(portal.stats()).toMatchObject({ requests: 1, byStatus: {}, faults: { reset: 1 } });
    });
  });

  it('truncated: a 200 whose body is a prefix of the page, without </html>', async () => {
    await withPortal(faulty('truncated'), async (portal) => {
      const res = await fetch(parcelUrl(portal));
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).not.toContain('</html>');
      expect(body.length).toBeGreaterThan(0);
      const whole = specPage('parcel-delinquent.html');
      expect(whole.startsWith(body)).toBe(true);
      expect(body.length).toBeLessThan(whole.indexOf('</html>'));
    });
  });

  it('maintenance: 503 with the maintenance page, sometimes with Retry-After', async () => {
    await withPortal(faulty('maintenance', { retryAfterSeconds: 2 }), async (portal) => {
      const retryAfters = new Set<string | null>();
      for (let i = 0; i < 12; i++) {
        const res = await fetch(parcelUrl(portal), { headers: { 'x-client-id': `client-${i}` } });
        expect(res.status).toBe(503);
        expect(await res.text()).toBe(maintenancePage());
        retryAfters.add(res.headers.get('retry-after'));
      }
      expect([...retryAfters].sort()).toEqual(['2', null]);
    });
  });

  it('maintenance200: the maintenance page with status 200, and no Retry-After', async () => {
    await withPortal(faulty('maintenance200'), async (portal) => {
      const res = await fetch(parcelUrl(portal));
      expect(res.status).toBe(200);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(await res.text()).toBe(maintenancePage());
      expect(portal.stats().faults).toEqual({ maintenance200: 1 });
    });
  });

  it('429: answers 429 with Retry-After in whole seconds', async () => {
    await withPortal(faulty('429', { retryAfterSeconds: 3 }), async (portal) => {
      const res = await fetch(parcelUrl(portal));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    });
  });

  it('slow: the whole page, late', async () => {
    await withPortal(faulty('slow', { slowMs: 300 }), async (portal) => {
      const res = await fetch(parcelUrl(portal));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(specPage('parcel-delinquent.html'));
      expect(portal.stats().faults).toEqual({ slow: 1 });
    });
  });

  it('hang: no answer until the client gives up; close() drops hung connections', async () => {
    await withPortal(faulty('hang'), async (portal) => {
      await expect(fetch(parcelUrl(portal), { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
      const hung = outcome(parcelUrl(portal));
      while (portal.stats().requests < 2) await sleep(10);
      await portal.close();
      expect(await hung).toBe('error UND_ERR_SOCKET');
      expect(portal.stats()).toMatchObject({ requests: 2, inFlight: 0, byStatus: {}, faults: { hang: 2 } });
    });
  });

  it('picks the same faults for the same seed, others for another seed, none at rate 0', async () => {
    const kinds: FaultKind[] = ['500', 'reset', 'truncated', 'maintenance', '429'];
    const run = (options: PortalOptions): Promise<string[]> =>
      withPortal(options, async (portal) => {
        const seen: string[] = [];
        for (let i = 0; i < 40; i++) seen.push(await outcome(parcelUrl(portal), { headers: { 'x-client-id': `c${i}` } }));
        return seen;
      });
    const first = await run({ seed: 9, faultRate: 0.5, faultKinds: kinds });
    expect(await run({ seed: 9, faultRate: 0.5, faultKinds: kinds })).toEqual(first);
    expect(await run({ seed: 10, faultRate: 0.5, faultKinds: kinds })).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '500', 'error ECONNRESET', '200 cut', '503', '429']));
    expect(new Set(await run({ seed: 9, faultRate: 0, faultKinds: kinds }))).toEqual(new Set(['200']));
  });
});

describe('portal traffic', () => {
  it('counts 10 concurrent requests as peakInFlight 10', async () => {
    await withPortal({ latencyMs: 200 }, async (portal) => {
      const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${portal.url}/parcels/12-345-678`)).status));
      expect(statuses).toEqual(Array(10).fill(200));
      const stats = (await (await fetch(`${portal.url}/__stats`)).json()) as Record<string, unknown>;
      expect(stats).toMatchObject({ requests: 10, inFlight: 0, peakInFlight: 10, byStatus: { '200': 10 } });
    });
  });

  it('counts a client that comes back before its Retry-After expired as tooEarly, by x-client-id', async () => {
    // The portal's clock moves only when the test moves it: "straight back" is straight back however slow the machine.
    let now = 0;
    await withPortal({ faultRate: 1, faultKinds: ['429'], retryAfterSeconds: 1, clock: () => now }, async (portal) => {
      const get = (client: string): Promise<Response> => fetch(`${portal.url}/parcels/12-345-678`, { headers: { 'x-client-id': client } });
      expect((await get('a')).status).toBe(429);
      await get('a'); // straight back: too early
      await get('b'); // another client, first request
      expect(portal.stats().tooEarly).toBe(1);
      now += 1000; // the Retry-After is over
      await get('a');
      await get('b');
      expect(portal.stats()).toMatchObject({ requests: 5, tooEarly: 1, byStatus: { '429': 5 }, faults: { '429': 5 } });
    });
  });

  it('answers 429 with Retry-After above maxRps across all clients', async () => {
    let now = 0;
    await withPortal({ maxRps: 3, retryAfterSeconds: 1, clock: () => now }, async (portal) => {
      const results: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${portal.url}/parcels/12-345-678`, { headers: { 'x-client-id': `c${i}` } });
        await res.text();
        results.push(`${res.status} ${res.headers.get('retry-after') ?? '-'}`);
      }
      expect(results).toEqual(['200 -', '200 -', '200 -', '429 1', '429 1']);
      now += 1000; // the second is over
      expect((await fetch(`${portal.url}/parcels/12-345-678`)).status).toBe(200);
      expect(portal.stats()).toMatchObject({ requests: 6, byStatus: { '200': 4, '429': 2 }, faults: { maxRps: 2 }, tooEarly: 0 });
    });
  });
});

describe('portal options', () => {
  it('refuses unknown keys and values out of range', async () => {
    const bad: unknown[] = [{ latency: 5 }, { faultRate: 2 }, { faultKinds: ['boom'] }, { faultKinds: [] }, { port: -1 }, { retryAfterSeconds: 1.5 }, { maxRps: 0 }, { dataset: {} }];
    for (const options of bad) {
      await expect(startPortal(options as PortalOptions)).rejects.toMatchObject({ name: 'PortalOptionsError', code: 'PORTAL_OPTIONS' });
    }
    await expect(startPortal({ seed: -3 })).rejects.toBeInstanceOf(PortalOptionsError);
  });

  it('serves the dataset of its seed', async () => {
    const other = new PortalDataset({ seed: 5 });
    const id = other.customers(10).find((c) => c.parcelId !== '' && other.parcel(c.parcelId) !== undefined)?.parcelId ?? '';
    const parcel = other.parcel(id);
    if (parcel === undefined) throw new Error('no parcel');
    await withPortal({ seed: 5 }, async (portal) => {
      expect(await (await fetch(`${portal.url}/parcels/${id}`)).text()).toBe(parcelPage(parcel, pageStyle(id, 5)));
    });
  });
});
