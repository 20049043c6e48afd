/**
 * The API's audit trail: every request that changed something, or tried to, with who sent
 * it, the route, what it named, the HTTP status and a short outcome. Read newest first in
 * pages: a page ends at a row's id, which the API turns into its opaque cursor (api/cursor.ts).
 */
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
  items: AuditRow[];
  /** The id the next (older) page starts after; null on the last page. */
  next: number | null;
}

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 500;
/** Longer outcomes are cut: a row says what happened, the server's log has the rest. */
const MAX_OUTCOME_CHARS = 500;

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

/**
 * The trail newest first (by id: the order the rows were recorded), `limit` rows (default 50,
 * at most 500) older than the row `after`, optionally only one key's.
 */
export async function listAudit(db: Ledger, options: { after?: number; limit?: number; keyName?: string } = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_AUDIT_LIMIT), 1), MAX_AUDIT_LIMIT);
  let query = db.selectFrom('audit').selectAll();
  if (options.after !== undefined) query = query.where('id', '<', options.after);
  if (options.keyName) query = query.where('key_name', '=', options.keyName);
  // One more than asked says whether there is a next page.
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ id: r.id, at: r.at, keyName: r.key_name, method: r.method, route: r.route, target: r.target, status: r.status, outcome: r.outcome })),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
