/**
 * The REST API: Fastify with routes whose TypeBox schemas validate each request, type its
 * handler and make the OpenAPI document. `buildApi` makes the app from the clients a server
 * process opened (api/main.ts); tests call it too, and `app.inject` or listen.
 */
import { readFileSync } from 'node:fs';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyReply, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { jobHasSchedules } from '../control/schedules.js';
import { declaredValue } from '../config/settings.js';
import { auditPlugin } from './audit-hook.js';
import { authPlugin } from './auth.js';
import type { ApiApp, ApiDeps } from './deps.js';
import { installErrorHandlers } from './error-handlers.js';
import { healthRoutes } from './health.js';
import { installJsonBody } from './json-body.js';
import { registerOpenApi } from './openapi.js';
import { rateLimitPlugin } from './rate-limit.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { jobRoutes } from './routes/jobs.js';
import { processActionRoutes } from './routes/process-actions.js';
import { processRoutes } from './routes/processes.js';
import { scheduleRoutes } from './routes/schedules.js';
import { taskLogRoutes } from './routes/task-log.js';
import { usageRoutes } from './routes/usage.js';
import { PROBLEM_CONTENT_TYPE, problem, sendProblem } from './problem.js';
import { ProblemSchema } from './schemas/problem.js';
import { validatorCompiler } from './validation.js';

/**
 * The largest request body: a job document of 50 steps with their commands, modules and
 * environments is tens of kilobytes, so 1 MiB leaves room for any real one while a client
 * cannot make the server hold more than that of a request in memory. Past it: 413.
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The routes under /v1, each a plugin `(app, { deps })`. */
const V1_ROUTES: Array<(app: ApiApp, opts: { deps: ApiDeps }) => Promise<void>> = [
  processRoutes,
  processActionRoutes,
  taskLogRoutes,
  scheduleRoutes,
  apiKeyRoutes,
  auditRoutes,
  usageRoutes,
];

export interface BuildApiOptions {
  /** Fastify's logger: false in tests, pino's JSON lines in a server. */
  logger?: FastifyServerOptions['logger'];
  /** Requests a key may send a minute (config.api.ratePerMinute); default DROVER_API_RATE_PER_MINUTE's. */
  ratePerMinute?: number;
  /** Proxies whose X-Forwarded-For is believed (config.api.trustedProxies); default none. */
  trustedProxies?: number;
}

/** Answers every /v1 route may give besides its own, so the document lists them all. */
/** What any /v1 operation may answer, whatever it does: bad input (a body too, even on DELETE), size, path-length and type refusals, the key, the rate limit, a dependency down. */
const COMMON_PROBLEMS = [400, 401, 403, 413, 414, 415, 429, 503];

/**
 * Every /v1 operation documents the common problems, and every problem under the media type
 * it is served as (application/problem+json), so each answer matches the document.
 */
function documentCommonProblems(route: RouteOptions): void {
  const schema = route.schema;
  if (!route.url.startsWith('/v1/') || !schema?.response) return;
  const response = schema.response as Record<string, unknown>;
  for (const status of COMMON_PROBLEMS) response[status] ??= ProblemSchema;
  for (const [status, answer] of Object.entries(response)) {
    if (Number(status) >= 400 && answer === ProblemSchema) response[status] = { description: 'A problem (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
  }
}

/** Router errors (a malformed percent-encoding, an over-long path parameter) as problems too, never Fastify's own JSON. */
const frameworkErrors: FastifyServerOptions['frameworkErrors'] = (error, _request, reply) => {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void sendProblem(reply as unknown as FastifyReply, problem(status, 'REQUEST_INVALID', 'Bad Request', `the request cannot be read: ${error.message}`));
};

/** Longest path parameter: the longest process id (a schedule run's) is 200 characters. */
const MAX_PARAM_LENGTH = 256;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export async function buildApi(deps: ApiDeps, options: BuildApiOptions = {}): Promise<ApiApp> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    maxParamLength: MAX_PARAM_LENGTH,
    frameworkErrors,
    trustProxy: trustHops(options.trustedProxies ?? 0),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  installJsonBody(app);
  installErrorHandlers(app);
  app.addHook('onRoute', documentCommonProblems);
  await registerOpenApi(app, packageVersion());
  // The key check first: the rate limit counts by key, and the audit trail names it.
  await app.register(authPlugin, { db: deps.db });
  await app.register(rateLimitPlugin, { perMinute: options.ratePerMinute ?? Number(declaredValue('DROVER_API_RATE_PER_MINUTE')) });
  await app.register(auditPlugin, { db: deps.db });
  await app.register(healthRoutes, { deps });
  await app.register(
    async (v1: ApiApp) => {
      await v1.register(jobRoutes, { deps, jobHasSchedules: (jobId) => jobHasSchedules(deps.temporal, jobId) });
      for (const routes of V1_ROUTES) await v1.register(routes, { deps });
    },
    { prefix: '/v1' },
  );
  return app;
}

/** Believe X-Forwarded-For through the nearest `hops` proxies only (proxy-addr counts the hop nearest the server 0). */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}
