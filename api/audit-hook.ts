/**
 * The audit trail's writer: every request that changes something or tries to (POST, PUT,
 * PATCH, DELETE on a route) becomes a row: who (the key's name, or `anonymous`), the route's
 * pattern, what it named, the status and a short outcome. Refusals count (a 401 or 403 on a
 * change is what an audit is for); two kinds of answer do not, since writing a row for each
 * would undo what they protect: a request that matched no route, and one refused by the rate
 * limit.
 *
 * The row is written as the answer is sent (onSend), not after: when a client has its answer
 * the row is there, and the rows of one client's requests are in the order it sent them. A
 * change is rare next to a read, so the one insert it waits for costs little. The outcome is
 * what the route said (`request.auditNote.outcome`), else a problem's code and detail, else
 * `ok`. The target is `request.auditNote.target`, else the route's parameters (`jobId`,
 * `processId`, ...). Writing the row never fails the request: a failed write is logged.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ANONYMOUS } from '../ledger/api-keys.js';
import { recordAudit } from '../ledger/audit.js';
import type { Ledger } from '../ledger/connect.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

export interface AuditOptions {
  db: Ledger;
}

/** What a route adds to its audit row; a route that creates something names it here (POST has no id in its path). */
export interface AuditNote {
  target?: string;
  outcome?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route to say what its audit row names and how it ended (api/audit-hook.ts). */
    auditNote?: AuditNote;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NOT_AUDITED_STATUSES = new Set([429]);

function audited(request: FastifyRequest, status: number): boolean {
  return CHANGES.has(request.method) && request.routeOptions.url !== undefined && !NOT_AUDITED_STATUSES.has(status);
}

/** `CODE: detail` of a problem+json body, or undefined when it is not one. */
function problemSummary(payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const body = JSON.parse(payload) as { type?: unknown; detail?: unknown };
    const code = typeof body.type === 'string' ? body.type.replace(/^urn:drover:problem:/, '') : undefined;
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    return [code, detail].filter(Boolean).join(': ') || undefined;
  } catch {
    return undefined;
  }
}

function targetOf(request: FastifyRequest): string | null {
  if (request.auditNote?.target) return request.auditNote.target;
  const params = Object.values((request.params ?? {}) as Record<string, unknown>).filter((v) => typeof v === 'string' && v !== '');
  return params.length ? params.join('/') : null;
}

async function audit(app: FastifyInstance, options: AuditOptions): Promise<void> {
  app.decorateRequest('auditNote', undefined);

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const status = reply.statusCode;
    if (!audited(request, status)) return payload;
    const problemText = String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE) ? problemSummary(payload) : undefined;
    const outcome = request.auditNote?.outcome ?? problemText ?? (status < 400 ? 'ok' : (STATUS_CODES[status] ?? `HTTP ${status}`));
    try {
      await recordAudit(options.db, {
        keyName: request.principal?.keyName ?? ANONYMOUS,
        method: request.method,
        route: request.routeOptions.url!,
        target: targetOf(request),
        status,
        outcome,
      });
    } catch (err) {
      request.log.error({ err, method: request.method, route: request.routeOptions.url, status }, 'the audit row of this request could not be written');
    }
    return payload;
  });
}

/** `app.register(auditPlugin, { db })`: applies to the whole app. */
export const auditPlugin = fp(audit, { name: 'drover-audit', fastify: '5.x' });
