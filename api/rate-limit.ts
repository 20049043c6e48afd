/**
 * Each API key's request rate, counted per server process over fixed one-minute windows
 * (@fastify/rate-limit's store); a request without a key counts against its client address.
 * Past the limit the answer is 429 problem+json with `Retry-After` (seconds until the window
 * ends). Every answer carries `x-ratelimit-limit`, `-remaining` and `-reset`.
 *
 * The check is this plugin's own onRequest hook rather than the library's per-route hook, so
 * it covers every route and the not-found answers too, and it answers the problem itself,
 * whatever the app's error handler does. It runs after authPlugin's hook, which it depends
 * on: the key's name is known by then. A request refused by the key check (401) is not counted.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { problem, sendProblem } from './problem.js';

export interface RateLimitOptions {
  /** Requests a key (or a client address without one) may send a minute: config.api.ratePerMinute. */
  perMinute: number;
}

const WINDOW_MS = 60_000;
/** Keys and addresses counted at once (the store's LRU); one forgotten starts a fresh window. */
const COUNTED = 10_000;

/** Whom a request is counted against: its key, else its address. Prefixed so neither can pose as the other. */
export function rateKey(request: FastifyRequest): string {
  return request.principal ? `key:${request.principal.keyName}` : `ip:${request.ip}`;
}

async function limit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  // global: false: the library adds no hooks to routes; createRateLimit below does the counting.
  await app.register(rateLimit, { global: false, cache: COUNTED });
  const check = app.createRateLimit({ max: options.perMinute, timeWindow: WINDOW_MS, keyGenerator: rateKey });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // A load balancer's health checks must never be refused: a 429 there would take every task out of service.
    if (request.routeOptions.url === '/healthz') return;
    const state = await check(request);
    if (state.isAllowed) return;
    reply.header('x-ratelimit-limit', state.max).header('x-ratelimit-remaining', state.remaining).header('x-ratelimit-reset', state.ttlInSeconds);
    if (!state.isExceeded) return;
    const who = request.principal ? `the key ${request.principal.keyName}` : `requests without a key from ${request.ip}`;
    await sendProblem(
      reply.header('retry-after', state.ttlInSeconds),
      problem(429, 'API_RATE_LIMITED', 'Too Many Requests', `${who} sent more than ${state.max} requests this minute; try again in ${state.ttlInSeconds} s`, { retryAfterSeconds: state.ttlInSeconds }),
    );
  });
}

/** `app.register(rateLimitPlugin, { perMinute: config.api.ratePerMinute })`, after authPlugin. */
export const rateLimitPlugin = fp(limit, { name: 'drover-rate-limit', fastify: '5.x', dependencies: ['drover-auth'] });
