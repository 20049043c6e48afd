import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { specPage, testPage } from './pages.js';

/** One scripted misbehaviour; each request takes the next one queued, then behaves. */
export type Misbehaviour =
  /** Answer with this status (body: the maintenance page), with Retry-After if given. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Destroy the socket without answering. */
  | { kind: 'reset' }
  /** 200 with the real page cut in half, ended cleanly (chunked): only the missing </html> tells. */
  | { kind: 'truncate' }
  /** 200 announcing the whole page's Content-Length, then the connection drops halfway. */
  | { kind: 'drop' }
  /** 200 with the maintenance page. */
  | { kind: 'maintenance200' }
  /** Never answer. */
  | { kind: 'hang' };

export interface RecordedRequest {
  /** Raw request target as received, e.g. `/parcels/12-345-678`. */
  url: string;
  headers: IncomingMessage['headers'];
  /** performance.now() when the request arrived. */
  arrivedAt: number;
  /** Status answered, if any (undefined for resets and hangs). */
  status?: number;
  /** performance.now() just before the answer was written. */
  answeredAt?: number;
}

export interface TestPortal {
  /** Base URL, e.g. `http://127.0.0.1:12345/`. */
  url: string;
  requests: RecordedRequest[];
  /** Queues misbehaviours for the next requests, in arrival order. */
  misbehave(...steps: Misbehaviour[]): void;
  /** Delays every normal answer (to see concurrency). */
  delayMs: number;
  /** Most requests open at once since the last clear(). */
  maxInFlight: number;
  /** Forgets recorded requests, queued misbehaviours and the delay. */
  clear(): void;
  close(): Promise<void>;
}

const delinquent = specPage('parcel-delinquent.html');

/** Parcels the test portal knows. */
const PARCELS = new Map<string, string>([
  ['12-345-678', delinquent],
  ['07-001-230', specPage('parcel-paid.html')],
  ['12-345-679', testPage('parcel-pasture.html')],
  // A parcel id that needs URL-encoding; same figures as the delinquent page.
  ['A/B 7', delinquent.replaceAll('12-345-678', 'A/B 7')],
]);

/** Owner searches (owner|county) with results; any other is empty. */
const SEARCHES = new Map<string, string>([['DOUBLE R CATTLE CO|LINCOLN', specPage('search-results.html')]]);
/** An owner whose search lists a parcel the portal does not have. */
const BROKEN_SEARCH = specPage('search-results.html').replace('/parcels/12-345-679', '/parcels/99-999-999');
SEARCHES.set('GHOST RANCH|LINCOLN', BROKEN_SEARCH);

const MAINTENANCE = specPage('maintenance.html');
const NOT_FOUND = specPage('parcel-not-found.html');
const EMPTY_SEARCH = specPage('search-empty.html');

/** The normal answer for a route, per shared/specs/tax-portal/README.md. */
function route(url: URL): { status: number; body: string } {
  const parcel = /^\/parcels\/([^/]+)$/.exec(url.pathname);
  if (parcel) {
    const page = PARCELS.get(decodeURIComponent(parcel[1] ?? ''));
    return page ? { status: 200, body: page } : { status: 404, body: NOT_FOUND };
  }
  if (url.pathname === '/search') {
    const key = `${url.searchParams.get('owner') ?? ''}|${url.searchParams.get('county') ?? ''}`;
    return { status: 200, body: SEARCHES.get(key) ?? EMPTY_SEARCH };
  }
  return { status: 404, body: NOT_FOUND };
}

/** Starts a portal on 127.0.0.1 with an OS-chosen port. */
export async function startTestPortal(): Promise<TestPortal> {
  let queue: Misbehaviour[] = [];
  let inFlight = 0;

  function answer(res: ServerResponse, record: RecordedRequest, status: number, body: string, headers: Record<string, string> = {}): void {
    record.status = status;
    record.answeredAt = performance.now();
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
    res.end(body);
  }

  const portal: TestPortal = {
    url: '',
    requests: [],
    delayMs: 0,
    maxInFlight: 0,
    misbehave(...steps) {
      queue.push(...steps);
    },
    clear() {
      queue = [];
      portal.requests.length = 0;
      portal.delayMs = 0;
      portal.maxInFlight = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };

  const server = createServer((req, res) => {
    const record: RecordedRequest = { url: req.url ?? '', headers: req.headers, arrivedAt: performance.now() };
    portal.requests.push(record);
    inFlight += 1;
    portal.maxInFlight = Math.max(portal.maxInFlight, inFlight);
    res.on('close', () => (inFlight -= 1));

    const step = queue.shift();
    const normal = route(new URL(req.url ?? '/', 'http://portal'));
    switch (step?.kind) {
      case 'status':
        answer(res, record, step.status, MAINTENANCE, step.retryAfter === undefined ? {} : { 'retry-after': step.retryAfter });
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'truncate':
        answer(res, record, 200, normal.body.slice(0, Math.floor(normal.body.length / 2)));
        return;
      case 'drop':
        record.status = 200;
        record.answeredAt = performance.now();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(normal.body)) });
        res.write(normal.body.slice(0, Math.floor(normal.body.length / 2)), () => req.socket.destroy());
        return;
      case 'maintenance200':
        answer(res, record, 200, MAINTENANCE);
        return;
      case 'hang':
        return;
      case undefined:
        if (portal.delayMs > 0) setTimeout(() => answer(res, record, normal.status, normal.body), portal.delayMs);
        else answer(res, record, normal.status, normal.body);
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  portal.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return portal;
}
