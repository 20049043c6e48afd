/**
 * The API key check: every request but those of the open routes (`/healthz`, the Swagger UI
 * under `/docs`, `/openapi.json`) is read for `Authorization: Bearer <key>`. A known key sets
 * `request.principal`; a header that is not a known key is refused here with 401; no header
 * leaves the principal unset, so a route's requireRole answers 401 and an open route works.
 *
 * Wrapped with fastify-plugin, so its hook runs for every route of the app, whichever
 * context registers them. Register it before rateLimitPlugin (which keys on the principal)
 * and before the routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashApiKey, verifyApiKey, type ApiKeyRole, type KeyHolder } from '../ledger/api-keys.js';
import type { Ledger } from '../ledger/connect.js';
import { problem, sendProblem } from './problem.js';
import type { Principal, Role } from './principal.js';

/**
 * How long a verified key is believed without asking PostgreSQL again: a burst of requests
 * with one key costs one query, not one each, and a key revoked (or its last_used_at) is
 * seen by every server within this time. Revoking through this server's `/v1/api-keys`
 * forgets the key here at once; another server, or `drover api-key revoke`, takes up to this.
 */
export const API_KEY_CACHE_MS = 5_000;
/** Distinct keys remembered at once; past it the oldest is forgotten (each costs a query again). */
const CACHE_ENTRIES = 10_000;

export interface AuthOptions {
  db: Ledger;
  /** How long a verified key is cached (default API_KEY_CACHE_MS). */
  cacheMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Forgets what this server cached of the key `name`, so its revocation takes effect here at once. */
    forgetApiKey(name: string): void;
  }
}

// The ledger keeps its own list of roles (it may not import the API's); the two must agree.
const sameRoles: [Role, ApiKeyRole] extends [ApiKeyRole, Role] ? true : never = true;
void sameRoles;

/** Routes anyone may call: the health check, the document and the Swagger UI reading it. */
export function isOpenRoute(pattern: string | undefined): boolean {
  return pattern === '/healthz' || pattern === '/openapi.json' || pattern === '/docs' || pattern?.startsWith('/docs/') === true;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

interface Cached {
  /** Pending while the first request of a burst asks the database; the others wait on it. */
  holder: Promise<KeyHolder | undefined>;
  expiresAt: number;
}

/** Verified keys by the SHA-256 of their text, so the cache never holds a key either. */
class KeyCache {
  private readonly entries = new Map<string, Cached>();

  constructor(
    private readonly db: Ledger,
    private readonly ttlMs: number,
  ) {}

  async verify(key: string): Promise<KeyHolder | undefined> {
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = this.entries.get(hash);
    if (hit && hit.expiresAt > now) return hit.holder;
    if (hit) this.entries.delete(hash);
    const holder = verifyApiKey(this.db, key);
    this.entries.set(hash, { holder, expiresAt: now + this.ttlMs });
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    try {
      const found = await holder;
      // An unknown key is not remembered: a key made a moment later works at once.
      if (!found) this.entries.delete(hash);
      return found;
    } catch (err) {
      this.entries.delete(hash);
      throw err;
    }
  }

  forget(name: string): void {
    for (const [hash, entry] of this.entries) {
      void entry.holder.then(
        (h) => {
          if (h?.keyName === name && this.entries.get(hash) === entry) this.entries.delete(hash);
        },
        () => undefined,
      );
    }
  }
}

function refuse(reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply.header('www-authenticate', 'Bearer error="invalid_token"'), problem(401, 'API_KEY_UNKNOWN', 'Unauthorized', detail));
}

async function auth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const cache = new KeyCache(options.db, options.cacheMs ?? API_KEY_CACHE_MS);
  app.decorate('forgetApiKey', (name: string) => cache.forget(name));
  app.decorateRequest('principal', undefined);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isOpenRoute(request.routeOptions.url)) return;
    const header = request.headers.authorization;
    if (header === undefined) return;
    const key = BEARER.exec(header)?.[1];
    if (!key) {
      await refuse(reply, 'the Authorization header must be "Bearer <key>", with a key drover made (drover api-key create NAME --role R)');
      return;
    }
    let holder: KeyHolder | undefined;
    try {
      holder = await cache.verify(key);
    } catch (err) {
      request.log.error({ err }, 'the API key could not be checked');
      await sendProblem(reply.header('retry-after', '5'), problem(503, 'API_KEY_CHECK_UNAVAILABLE', 'Service Unavailable', 'the API key could not be checked: the database did not answer; try again shortly'));
      return;
    }
    if (!holder) {
      await refuse(reply, 'this API key is not known, or was revoked; ask an admin for a key (drover api-key create NAME --role R)');
      return;
    }
    const principal: Principal = { keyName: holder.keyName, role: holder.role };
    request.principal = principal;
  });
}

/** `app.register(authPlugin, { db })`. */
export const authPlugin = fp(auth, { name: 'drover-auth', fastify: '5.x' });
