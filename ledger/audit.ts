/**
 * The API's audit trail: every request that changed something, or tried to, with who sent
 * it, the route, what it named, the HTTP status and a short outcome. Read newest first in
 * pages: the cursor is opaque to callers (the last row's id, encoded), so the order can
 * change without breaking them.
 */
import { errorWithCode } from '../errors/drover-error.js';
import type { Ledger } from './connect.js';

export interface AuditEntry {
  /** The key's name, or `anonymous` (ledger/api-keys.ts ANONYMOUS). */
  keyName: string;
  method: string;
  /** The route's pattern, `/v1/jobs/:jobId`, so rows group by route whatever the ids. */
  route: string;
  /** What the request named: a job, process, schedule or key id; null when nothing. */
  target?: string | null;
  status: number;
  outcome: string;
}

export interface AuditRow extends Required<AuditEntry> {
  id: number;
  at: Date;
}

export interface AuditPage {
  entries: AuditRow[];
  /** The cursor of the next (older) page; null on the last. */
  nextCursor: string | null;
}

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 500;
/** Longer outcomes are cut: a row says what happened, the server's log has the rest. */
const MAX_OUTCOME_CHARS = 500;

/** A cursor this module did not make. */
export class AuditCursorError extends errorWithCode('AuditCursorError', 'AUDIT_CURSOR_INVALID') {}

export async function recordAudit(db: Ledger, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      key_name: entry.keyName,
      method: entry.method,
      route: entry.route,
      target: entry.target ?? null,
      status: entry.status,
      outcome: entry.outcome.length > MAX_OUTCOME_CHARS ? `${entry.outcome.slice(0, MAX_OUTCOME_CHARS - 1)}…` : entry.outcome,
    })
    .execute();
}

const CURSOR_TAG = 'audit:';

function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_TAG}${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_TAG) ? Number(text.slice(CURSOR_TAG.length)) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new AuditCursorError(`the cursor ${JSON.stringify(cursor)} was not given by this list; start again without one`);
  return id;
}

/**
 * The trail newest first (by id: the order the rows were recorded), `limit` rows from
 * `cursor` on (default 50, at most 500), optionally only one key's.
 */
export async function listAudit(db: Ledger, options: { cursor?: string; limit?: number; keyName?: string } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_AUDIT_LIMIT), 1), MAX_AUDIT_LIMIT);
  let query = db.selectFrom('audit').selectAll();
  if (options.cursor) query = query.where('id', '<', decodeCursor(options.cursor));
  if (options.keyName) query = query.where('key_name', '=', options.keyName);
  // One more than asked says whether there is a next page.
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({ id: r.id, at: r.at, keyName: r.key_name, method: r.method, route: r.route, target: r.target, status: r.status, outcome: r.outcome })),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}
