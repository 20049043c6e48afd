/** `GET /healthz`, open to all: whether the database and Temporal answer, for a load balancer and for people. */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { rootMessage } from '../errors/root-message.js';
import type { ApiApp, ApiDeps } from './deps.js';

/** How long each check may take: a load balancer's probe must get an answer, not hang on a dependency that does. */
const CHECK_TIMEOUT_MS = 3_000;

const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
const Health = Type.Object({ ok: Type.Boolean(), database: Check, temporal: Check });

async function check(work: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([work(), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: rootMessage(err) };
  } finally {
    clearTimeout(timer);
  }
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
        check(() => sql`select 1`.execute(db)),
        // A deadline, not only the race: it also ends the client's own retries of an unreachable server.
        check(() => temporal.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({}))),
      ]);
      const ok = database.ok && temporalCheck.ok;
      return reply.code(ok ? 200 : 503).send({ ok, database, temporal: temporalCheck });
    },
  );
}
