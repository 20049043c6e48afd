/** `GET /audit` (under `/v1`): the audit trail for admins, newest first, in pages. */
import { Type } from '@sinclair/typebox';
import { listAudit } from '../../ledger/audit.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { problem, sendProblem } from '../problem.js';
import { requireRole } from '../require-role.js';
import { DEFAULT_PAGE_LIMIT, Nullable, Page, PageQuery, Timestamp } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';

const AUDIT_ID = /^[1-9]\d{0,15}$/;

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  keyName: Type.String({ description: 'The key that sent the request, or `anonymous`.' }),
  method: Type.String(),
  route: Type.String({ description: 'The route\'s pattern, e.g. `/v1/jobs/:jobId`.' }),
  target: Nullable(Type.String({ description: 'What the request named: a job, process, schedule or key.' })),
  status: Type.Integer({ description: 'The HTTP status of the answer.' }),
  outcome: Type.String({ description: 'How it ended, in short: a refusal\'s problem code and detail.' }),
});

/** `app.register(auditRoutes, { prefix: '/v1', deps })`. */
export async function auditRoutes(app: ApiApp, opts: { deps: Pick<ApiDeps, 'db'> }): Promise<void> {
  const { db } = opts.deps;

  app.get(
    '/audit',
    {
      preHandler: requireRole('admin'),
      schema: {
        operationId: 'listAudit',
        tags: ['audit'],
        summary: 'The audit trail, newest first',
        description: 'Every request that changed something or tried to (POST, PUT, PATCH, DELETE on a route), with the key that sent it, its status and outcome. Requests refused by the rate limit are not written.',
        querystring: Type.Object({ ...PageQuery, keyName: Type.Optional(Type.String({ description: 'Only this key\'s requests (`anonymous`: those without a key).' })) }),
        response: { 200: Page(AuditEntry), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { cursor, keyName } = request.query;
      const limit = request.query.limit ?? DEFAULT_PAGE_LIMIT;
      let after: number | undefined;
      try {
        after = cursor === undefined ? undefined : Number(decodeCursor(cursor, [AUDIT_ID])[0]);
      } catch (err) {
        // Answered here, not by the app's error handler, so the route is whole wherever it is registered.
        return sendProblem(reply, problem(400, 'CURSOR_INVALID', 'Bad Request', (err as Error).message, { errors: [{ in: 'querystring', path: '/cursor', message: 'is not a cursor this list gave' }] }));
      }
      const page = await listAudit(db, { after, limit, keyName });
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.next === null ? null : encodeCursor([String(page.next)]) };
    },
  );
}
