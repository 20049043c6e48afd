/**
 * API keys, roles, the audit trail and the rate limit, over HTTP, on a Fastify app this test
 * builds from the plugins and a few routes of its own guarded by requireRole, against a real
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { auditPlugin } from '../../api/audit-hook.js';
import { authPlugin } from '../../api/auth.js';
import type { ApiApp } from '../../api/deps.js';
import { installErrorHandlers } from '../../api/error-handlers.js';
import { rateLimitPlugin } from '../../api/rate-limit.js';
import { requireRole } from '../../api/require-role.js';
import { apiKeyRoutes } from '../../api/routes/api-keys.js';
import { auditRoutes } from '../../api/routes/audit.js';
import { validatorCompiler } from '../../api/validation.js';
import { createApiKey, revokeApiKey } from '../../ledger/api-keys.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import type { LedgerTables } from '../../ledger/tables.js';
import { eventually } from '../support/eventually.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;
/** The keys' lookups the auth plugin of `cached` made (a ledger of its own that counts them). */
let lookups = 0;
let countingDb: Ledger;
const apps: ApiApp[] = [];

interface TestApp {
  url: string;
}
let main: TestApp;
let cached: TestApp;
let limited: TestApp;
const keys: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };

/** The plugins as the server registers them, and three routes, one for each role, plus two open ones. */
async function build(ledger: Ledger, options: { cacheMs?: number; perMinute?: number; openApi?: boolean; auditDb?: Ledger } = {}): Promise<{ app: ApiApp; url: string }> {
  const app: ApiApp = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  // As the server checks requests and answers errors (api/server.ts).
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandlers(app);
  if (options.openApi) {
    await app.register(swagger, {
      openapi: { openapi: '3.1.0', info: { title: 'test', version: '0' }, components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } }, security: [{ apiKey: [] }] },
    });
  }
  await app.register(authPlugin, { db: ledger, ...(options.cacheMs === undefined ? {} : { cacheMs: options.cacheMs }) });
  await app.register(rateLimitPlugin, { perMinute: options.perMinute ?? 10_000 });
  await app.register(auditPlugin, { db: options.auditDb ?? ledger });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/docs/page', async () => 'docs');
  app.get('/t/viewer', { preHandler: requireRole('viewer') }, async (request) => ({ who: request.principal }));
  app.post('/t/operator/:thingId', { preHandler: requireRole('operator') }, async (request) => ({ who: request.principal }));
  app.patch('/t/operator/:thingId', { preHandler: requireRole('operator') }, async (request) => {
    request.auditNote = { outcome: 'patched it' };
    return { who: request.principal };
  });
  app.delete('/t/admin/:thingId', { preHandler: requireRole('admin') }, async (request) => ({ who: request.principal }));
  await app.register(apiKeyRoutes, { prefix: '/v1', deps: { db: ledger } });
  await app.register(auditRoutes, { prefix: '/v1', deps: { db: ledger } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

async function call(app: TestApp, method: string, path: string, options: { key?: string; authorization?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization ?? (options.key ? `Bearer ${options.key}` : undefined);
  if (authorization) headers['authorization'] = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${app.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: the test reads `text`.
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** An audit item without what the database chose, its id and time. */
function withoutIdAndTime(item: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...item };
  delete rest['id'];
  delete rest['at'];
  return rest;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const PROBLEM = /^application\/problem\+json/;

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  pool.on('error', () => undefined);
  countingDb = new Kysely<LedgerTables>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' && /from "api_keys"/.test(event.query.sql)) lookups++;
    },
  });
  for (const role of ['viewer', 'operator', 'admin'] as const) keys[role] = (await createApiKey(db, { name: `the-${role}`, role })).key;
  main = await build(db, { openApi: true });
  cached = await build(countingDb, { cacheMs: 10 * 60_000 });
  limited = await build(db, { perMinute: 3 });
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await countingDb?.destroy();
  await db?.destroy();
  await server?.stop();
});

describe('who may call what', () => {
  it('refuses a request without a key with 401, WWW-Authenticate and a problem', async () => {
    const res = await call(main, 'GET', '/t/viewer');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ type: 'urn:drover:problem:API_KEY_MISSING', status: 401 });
  });

  it('refuses an unknown key and a malformed header with 401', async () => {
    const unknown = `drover_${'A'.repeat(43)}`;
    for (const authorization of [`Bearer ${unknown}`, 'Bearer not-a-key', `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer', `bearer ${keys.viewer}x`]) {
      const res = await call(main, 'GET', '/t/viewer', { authorization });
      expect({ authorization, status: res.status, type: res.body['type'] }).toEqual({ authorization, status: 401, type: 'urn:drover:problem:API_KEY_UNKNOWN' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
    }
    // The scheme's name is not case-sensitive (RFC 9110).
    expect((await call(main, 'GET', '/t/viewer', { authorization: `bearer ${keys.viewer}` })).status).toBe(200);
  });

  it('leaves the open routes open, whatever the header says', async () => {
    for (const path of ['/healthz', '/docs/page']) {
      expect((await call(main, 'GET', path)).status).toBe(200);
      expect((await call(main, 'GET', path, { authorization: 'Bearer junk' })).status).toBe(200);
    }
  });

  it('gives each role what it may do and 403 for the rest', async () => {
    const may = { viewer: ['GET /t/viewer'], operator: ['GET /t/viewer', 'POST /t/operator/x'], admin: ['GET /t/viewer', 'POST /t/operator/x', 'DELETE /t/admin/x', 'GET /v1/api-keys', 'GET /v1/audit'] };
    const routes = ['GET /t/viewer', 'POST /t/operator/x', 'DELETE /t/admin/x', 'GET /v1/api-keys', 'GET /v1/audit'];
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      for (const route of routes) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await call(main, method, path, { key: keys[role] });
        const expected = may[role].includes(route) ? 200 : 403;
        expect({ role, route, status: res.status }).toEqual({ role, route, status: expected });
        if (expected === 403) expect(res.body['type']).toBe('urn:drover:problem:API_ROLE_FORBIDDEN');
        if (path.startsWith('/t/')) expect(res.body['who']).toEqual(expected === 200 ? { keyName: `the-${role}`, role } : undefined);
      }
    }
  });
});

describe('keys', () => {
  it('makes a key through the API, shown once and stored only as its hash', async () => {
    const made = await call(main, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'made-by-api', role: 'operator' } });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const key = made.body['key'] as string;
    expect(made.body).toEqual({ name: 'made-by-api', role: 'operator', key: expect.stringMatching(/^drover_[A-Za-z0-9_-]{43}$/) });

    // No column holds the key, nor its random part; the hash is its SHA-256.
    const { rows } = await sql<Record<string, unknown>>`select * from api_keys where name = 'made-by-api'`.execute(db);
    expect(rows).toHaveLength(1);
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(key.slice('drover_'.length + 8));
    expect(rows[0]!['key_hash']).toBe(sha256(key));

    // The key works at once, with its role.
    expect((await call(main, 'POST', '/t/operator/x', { key })).body['who']).toEqual({ keyName: 'made-by-api', role: 'operator' });

    // Shown once: the list has neither the key nor its hash.
    const listed = await call(main, 'GET', '/v1/api-keys', { key: keys.admin });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(key.slice('drover_'.length + 8));
    expect(listed.text).not.toContain(sha256(key));
    const items = listed.body['items'] as Record<string, unknown>[];
    expect(items.find((k) => k['name'] === 'made-by-api')).toEqual({ name: 'made-by-api', role: 'operator', prefix: key.slice(0, 15), createdAt: expect.any(String), lastUsedAt: expect.any(String), revokedAt: null });
    expect(items.map((k) => k['name'])).toEqual(expect.arrayContaining(['the-viewer', 'the-operator', 'the-admin', 'made-by-api']));
  });

  it('refuses a name in use with 409 and a bad name or role with 400', async () => {
    const again = await call(main, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'the-viewer', role: 'viewer' } });
    expect(again.status).toBe(409);
    expect(again.body['type']).toBe('urn:drover:problem:API_KEY_NAME_TAKEN');
    for (const body of [{ name: 'Bad Name', role: 'viewer' }, { name: 'anonymous', role: 'viewer' }, { name: 'fine', role: 'root' }, { name: 'fine' }, { name: 'fine', role: 'viewer', key: 'mine' }]) {
      const res = await call(main, 'POST', '/v1/api-keys', { key: keys.admin, body });
      expect({ body, status: res.status, type: res.body['type'] }).toEqual({ body, status: 400, type: 'urn:drover:problem:REQUEST_INVALID' });
    }
    expect((await call(main, 'POST', '/v1/api-keys', { key: keys.operator, body: { name: 'fine', role: 'viewer' } })).status).toBe(403);
  });

  it('revokes through the API: refused at once on that server, 404 for no such key', async () => {
    const { key } = await createApiKey(db, { name: 'short-lived', role: 'viewer' });
    expect((await call(main, 'GET', '/t/viewer', { key })).status).toBe(200);
    const revoked = await call(main, 'DELETE', '/v1/api-keys/short-lived', { key: keys.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ name: 'short-lived', revokedAt: expect.any(String) });
    const refused = await call(main, 'GET', '/t/viewer', { key });
    expect(refused.status).toBe(401);
    expect(refused.body['type']).toBe('urn:drover:problem:API_KEY_UNKNOWN');
    const none = await call(main, 'DELETE', '/v1/api-keys/never-made', { key: keys.admin });
    expect(none.status).toBe(404);
    expect(none.body['type']).toBe('urn:drover:problem:API_KEY_NOT_FOUND');
  });

  it('refuses a key revoked elsewhere (the CLI, another server) once the cache time has passed', async () => {
    const { key } = await createApiKey(db, { name: 'revoked-elsewhere', role: 'viewer' });
    expect((await call(main, 'GET', '/t/viewer', { key })).status).toBe(200);
    await revokeApiKey(db, 'revoked-elsewhere');
    // API_KEY_CACHE_MS is 5 s; the bound only stops a broken test.
    const refused = await eventually('the revoked key to be refused', async () => {
      const res = await call(main, 'GET', '/t/viewer', { key });
      return res.status === 401 && res;
    }, 30_000);
    expect(refused.body['type']).toBe('urn:drover:problem:API_KEY_UNKNOWN');
  });

  it('checks a key once for a burst of requests, and trusts it for the cache time', async () => {
    const { key } = await createApiKey(db, { name: 'bursty', role: 'viewer' });
    const before = lookups;
    const statuses = await Promise.all(Array.from({ length: 50 }, () => call(cached, 'GET', '/t/viewer', { key }).then((r) => r.status)));
    expect(statuses).toEqual(Array(50).fill(200));
    expect(lookups - before).toBe(1);
    // Revoked in the ledger, it still works on a server that trusts what it checked (here for 10 minutes).
    await revokeApiKey(db, 'bursty');
    expect((await call(cached, 'GET', '/t/viewer', { key })).status).toBe(200);
    expect(lookups - before).toBe(1);
  });
});

describe('the audit trail', () => {
  it('records the requests that change something, with who, route, target, status and outcome', async () => {
    const { key } = await createApiKey(db, { name: 'audited', role: 'operator' });
    const sent: [string, string, number][] = [
      ['GET', '/t/viewer', 200],
      ['POST', '/t/operator/thing-1', 200],
      ['PATCH', '/t/operator/thing-2', 200],
      ['DELETE', '/t/admin/thing-3', 403],
      ['POST', '/t/nowhere', 404],
      ['GET', '/v1/api-keys', 403],
    ];
    for (const [method, path, status] of sent) expect({ method, path, status: (await call(main, method, path, { key })).status }).toEqual({ method, path, status });
    expect((await call(main, 'DELETE', '/t/admin/thing-4')).status).toBe(401);

    // Each row is written before its answer goes, so they are all there now, in the order sent.
    const rows = (await call(main, 'GET', '/v1/audit?keyName=audited', { key: keys.admin })).body['items'] as Record<string, unknown>[];
    // Newest first; GETs and the request that matched no route are not in it.
    expect(rows.map(withoutIdAndTime)).toEqual([
      { keyName: 'audited', method: 'DELETE', route: '/t/admin/:thingId', target: 'thing-3', status: 403, outcome: expect.stringMatching(/^API_ROLE_FORBIDDEN: .*audited/) },
      { keyName: 'audited', method: 'PATCH', route: '/t/operator/:thingId', target: 'thing-2', status: 200, outcome: 'patched it' },
      { keyName: 'audited', method: 'POST', route: '/t/operator/:thingId', target: 'thing-1', status: 200, outcome: 'ok' },
    ]);
    for (const row of rows) expect(new Date(row['at'] as string).getTime()).not.toBeNaN();
    const anonymous = (await call(main, 'GET', '/v1/audit?keyName=anonymous', { key: keys.admin })).body['items'] as Record<string, unknown>[];
    expect(anonymous.map(withoutIdAndTime)).toEqual([
      { keyName: 'anonymous', method: 'DELETE', route: '/t/admin/:thingId', target: 'thing-4', status: 401, outcome: expect.stringMatching(/^API_KEY_MISSING: /) },
    ]);
  });

  it('records what the key routes did, never the key', async () => {
    const admin = await createApiKey(db, { name: 'key-keeper', role: 'admin' });
    const made = await call(main, 'POST', '/v1/api-keys', { key: admin.key, body: { name: 'for-audit', role: 'viewer' } });
    expect(made.status).toBe(201);
    expect((await call(main, 'POST', '/v1/api-keys', { key: admin.key, body: { name: 'for-audit', role: 'viewer' } })).status).toBe(409);
    expect((await call(main, 'DELETE', '/v1/api-keys/for-audit', { key: admin.key })).status).toBe(200);
    const rows = (await call(main, 'GET', '/v1/audit?keyName=key-keeper', { key: keys.admin })).body['items'] as Record<string, unknown>[];
    expect(rows.map(withoutIdAndTime)).toEqual([
      { keyName: 'key-keeper', method: 'DELETE', route: '/v1/api-keys/:name', target: 'for-audit', status: 200, outcome: 'revoked' },
      { keyName: 'key-keeper', method: 'POST', route: '/v1/api-keys', target: 'for-audit', status: 409, outcome: expect.stringMatching(/^API_KEY_NAME_TAKEN: /) },
      { keyName: 'key-keeper', method: 'POST', route: '/v1/api-keys', target: 'for-audit', status: 201, outcome: 'made a viewer key' },
    ]);
    const { rows: all } = await sql<{ row: string }>`select audit::text as row from audit`.execute(db);
    for (const r of all) expect(r.row).not.toContain((made.body['key'] as string).slice(15));
  });

  it('never fails a request when its row cannot be written', async () => {
    // A database that is not there: port 1 refuses at once.
    const nowhere = openLedger('postgres://drover:x@127.0.0.1:1/drover', { maxConnections: 1 });
    try {
      const unwritten = await build(db, { auditDb: nowhere });
      const res = await call(unwritten, 'POST', '/t/operator/still-fine', { key: keys.operator });
      expect(res.status).toBe(200);
      expect(res.body['who']).toEqual({ keyName: 'the-operator', role: 'operator' });
    } finally {
      await nowhere.destroy();
    }
  });

  it('pages newest first with the cursor it gives, and refuses one it did not', async () => {
    const { key } = await createApiKey(db, { name: 'pager', role: 'operator' });
    for (let i = 1; i <= 5; i++) await call(main, 'POST', `/t/operator/p-${i}`, { key });
    const targets: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Answer = await call(main, 'GET', `/v1/audit?keyName=pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: keys.admin });
      expect(page.status).toBe(200);
      targets.push(...(page.body['items'] as Record<string, unknown>[]).map((e) => e['target']));
      cursor = page.body['nextCursor'] as string | null;
      pages++;
    } while (cursor);
    expect(targets).toEqual(['p-5', 'p-4', 'p-3', 'p-2', 'p-1']);
    expect(pages).toBe(3);
    const bad = await call(main, 'GET', `/v1/audit?cursor=${Buffer.from('["x"]').toString('base64url')}`, { key: keys.admin });
    expect(bad.status).toBe(400);
    expect(bad.body['type']).toBe('urn:drover:problem:CURSOR_INVALID');
  });
});

describe('the rate limit', () => {
  it('answers 429 with Retry-After past a key\'s limit, counting each key apart and requests without a key by address', async () => {
    const a = await createApiKey(db, { name: 'rate-a', role: 'viewer' });
    const b = await createApiKey(db, { name: 'rate-b', role: 'viewer' });
    const first = await call(limited, 'GET', '/t/viewer', { key: a.key });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    for (let i = 2; i <= 3; i++) expect((await call(limited, 'GET', '/t/viewer', { key: a.key })).status).toBe(200);
    const refused = await call(limited, 'GET', '/t/viewer', { key: a.key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(PROBLEM);
    expect(refused.body).toMatchObject({ type: 'urn:drover:problem:API_RATE_LIMITED', status: 429 });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body['detail']).toContain('rate-a');

    // Another key has its own count.
    expect((await call(limited, 'GET', '/t/viewer', { key: b.key })).status).toBe(200);
    // Without a key, the address is counted: the open route too.
    for (let i = 1; i <= 3; i++) expect((await call(limited, 'GET', '/docs/page')).status).toBe(200);
    const anonymous = await call(limited, 'GET', '/docs/page');
    expect(anonymous.status).toBe(429);
    expect(Number(anonymous.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Health checks are never refused: a load balancer's would otherwise take the server out of service.
    for (let i = 1; i <= 5; i++) expect((await call(limited, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('describes the key and audit routes, their bodies and their refusals', async () => {
    const app = apps[0]!;
    const doc = app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string }[]; requestBody?: unknown }>> };
    expect(Object.keys(doc.paths['/v1/api-keys']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/api-keys']!['post']!.responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(doc.paths['/v1/api-keys']!['post']!.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/v1/api-keys/{name}']!['delete']!.responses).sort()).toEqual(['200', '401', '403', '404']);
    expect(doc.paths['/v1/audit']!['get']!.parameters!.map((p) => p.name).sort()).toEqual(['cursor', 'keyName', 'limit']);
  });
});
