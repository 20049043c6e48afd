/**
 * The demo county tax portal (shared/specs/tax-portal/README.md) on node:http, with
 * reproducible latency, faults and rate limiting so the scraper can be tested and
 * benchmarked against a misbehaving source.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { maintenanceRetryAfter, pickFault, truncationPoint } from './faults.js';
import { resolvePortalOptions, type PortalOptions } from './options.js';
import { errorPage, maintenancePage } from './render.js';
import { route, type Answer } from './routes.js';
import { MaintenanceWindow, RetryAfterGate, SlidingWindow, TrafficStats, type PortalStats } from './traffic.js';

export type { PortalOptions } from './options.js';
export type { PortalStats } from './traffic.js';
export type { FaultKind } from './faults.js';

export interface Portal {
  /** Base URL, e.g. `http://127.0.0.1:4568` (no trailing slash). */
  url: string;
  port: number;
  stats(): PortalStats;
  /** Stops listening and drops every connection, hung ones included. */
  close(): Promise<void>;
}

/** Header a client may send to be told apart from others on the same address (for `tooEarly`). */
export const CLIENT_ID_HEADER = 'x-client-id';

const HTML = 'text/html; charset=utf-8';

export async function startPortal(options: PortalOptions = {}): Promise<Portal> {
  const opts = resolvePortalOptions(options);
  const stats = new TrafficStats();
  const gate = new RetryAfterGate();
  const limiter = opts.maxRps === undefined ? undefined : new SlidingWindow(opts.maxRps, 1000);
  const m = opts.maintenance;
  const window = m === undefined ? undefined : new MaintenanceWindow(m.closedMs, m.everyMs, m.afterMs);
  if (window) stats.withMaintenance(window);
  const timers = new Set<NodeJS.Timeout>();
  /** Portal responses not yet closed. */
  const open = new Set<http.ServerResponse>();

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });

  const send = (res: http.ServerResponse, client: string, answer: Answer, truncated = false): void => {
    const headers: Record<string, string | number> = { 'content-type': HTML, ...answer.headers };
    // A truncated body goes out chunked and ends cleanly: a whole HTTP answer with half a page.
    if (!truncated) headers['content-length'] = Buffer.byteLength(answer.body);
    const retryAfter = answer.headers?.['retry-after'];
    if (retryAfter !== undefined) gate.promise(client, opts.clock() + Number(retryAfter) * 1000);
    stats.status(answer.status);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const tooMany = (): Answer => ({
    status: 429,
    body: errorPage(429, 'Too many requests. Please slow down.'),
    headers: { 'retry-after': String(opts.retryAfterSeconds) },
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (url.pathname === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats.snapshot()));
      return;
    }

    open.add(res);
    const requestNumber = stats.begin((listener) =>
      res.once('close', () => {
        open.delete(res);
        listener();
      }),
    );
    // Retry-After binds the request it answered: the same client asking for the same page
    // again before it expires is too early. Another request of a busy client may already be
    // on its way when the answer goes out, and is not its retry.
    const client = `${clientOf(req)} ${url.pathname}${url.search}`;
    const arrived = opts.clock();
    if (gate.isEarly(client, arrived)) stats.tooEarly();
    // In a maintenance window every request is answered 503 with the time left, faults and the rate limit aside.
    const closedUntil = window?.arrive(clientOf(req), arrived);
    if (closedUntil !== undefined) {
      await sleep(opts.latencyMs);
      if (res.destroyed) return;
      const now = opts.clock();
      window!.told(clientOf(req), now, closedUntil);
      const seconds = Math.max(0, Math.ceil((closedUntil - now) / 1000));
      return send(res, client, { status: 503, body: maintenancePage(), headers: { 'retry-after': String(seconds) } });
    }
    const admitted = limiter === undefined || limiter.admit(arrived);
    const fault = admitted ? pickFault(opts.seed, requestNumber, opts.faultRate, opts.faultKinds) : undefined;
    if (!admitted) stats.fault('maxRps');
    else if (fault !== undefined) stats.fault(fault);

    await sleep(opts.latencyMs + (fault === 'slow' ? opts.slowMs : 0));
    if (res.destroyed) return; // the client gave up while we waited

    if (!admitted) return send(res, client, tooMany());
    switch (fault) {
      case 'hang':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case '500':
        return send(res, client, { status: 500, body: errorPage(500, 'Internal server error.') });
      case '429':
        return send(res, client, tooMany());
      case 'maintenance': {
        const headers = maintenanceRetryAfter(opts.seed, requestNumber) ? { 'retry-after': String(opts.retryAfterSeconds) } : undefined;
        return send(res, client, { status: 503, body: maintenancePage(), ...(headers && { headers }) });
      }
      case 'maintenance200':
        return send(res, client, { status: 200, body: maintenancePage() });
      case 'truncated': {
        const answer = route(opts.dataset, req.method ?? 'GET', url);
        return send(res, client, { ...answer, body: answer.body.slice(0, truncationPoint(opts.seed, requestNumber, answer.body)) }, true);
      }
      default:
        return send(res, client, route(opts.dataset, req.method ?? 'GET', url));
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else res.writeHead(500, { 'content-type': HTML }).end(errorPage(500, 'Internal server error.'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}`,
    port,
    stats: () => stats.snapshot(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        // Dropped sockets close a little after the server does: wait for their responses so stats settle.
        const pending = [...open].map((res) => new Promise((done) => res.once('close', done)));
        server.close(() => void Promise.all(pending).then(() => resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The client a Retry-After was given to: its x-client-id, else its address. */
function clientOf(req: http.IncomingMessage): string {
  const header = req.headers[CLIENT_ID_HEADER];
  const id = Array.isArray(header) ? header[0] : header;
  return id !== undefined && id !== '' ? `id:${id}` : `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}
