/** `GET /healthz`, open to all: whether the database and Temporal answer, for a load balancer and for people. */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { rootMessage } from '../errors/root-message.js';
import type { ApiApp, ApiDeps } from './deps.js';

/**
 * How long the database may take to answer: a load balancer's probe must get an answer, not
 * hang on a dependency that does.
 */
const DATABASE_TIMEOUT_MS = 3_000;
/**
 * Temporal's check is a call with this deadline rather than a race: the client retries an
 * unreachable server in the background, and only a deadline ends those retries with the answer
 * (a race would answer while they go on). The answer comes by the first retry past it.
 */
const TEMPORAL_DEADLINE_MS = 2_000;

const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
const Health = Type.Object({ ok: Type.Boolean(), database: Check, temporal: Check });

async function check(work: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await work();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: rootMessage(err) };
  }
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(app: ApiApp, opts: { deps: ApiDeps }): Promise<void> {
  const { db, temporal } = opts.deps;
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'health',
        tags: ['health'],
        summary: 'Whether the database and Temporal answer',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const [database, temporalCheck] = await Promise.all([
        check(() => within(DATABASE_TIMEOUT_MS, sql`select 1`.execute(db))),
        check(() => temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () => temporal.workflowService.getSystemInfo({}))),
      ]);
      const ok = database.ok && temporalCheck.ok;
      return reply.code(ok ? 200 : 503).send({ ok, database, temporal: temporalCheck });
    },
  );
}
