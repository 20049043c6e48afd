/** Pieces the API's schemas share. */
import { Type, type TSchema } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A time as the API writes it: ISO 8601 in UTC, `2026-01-31T02:30:00.000Z`. */
export const Timestamp = Type.String({ format: 'date-time' });

/** A job's or a step's id: `[a-z0-9][a-z0-9-]{0,62}` (catalog/job-schema.ts). */
export const JobId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'A job id: `[a-z0-9][a-z0-9-]{0,62}`.' });

/**
 * A process id: `<job id>-<UTC date>-<time>-<6 hex>` when fired by hand or through the API,
 * `credit-<12 hex>` for a credit check an upload started, and `<schedule id>-<nominal time>`
 * (`nightly-2026-12-05T02:30:00Z`, the workflow id Temporal gives a schedule's run). All fit this.
 */
export const PROCESS_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$';
export const ProcessId = Type.String({ pattern: PROCESS_ID_PATTERN, description: 'A process id, e.g. `partner-feeds-20261205-101500-3fa2c1`.' });

/** A JSON object of any members: a job document, a process's parameters. */
export const AnyObject = Type.Record(Type.String(), Type.Unknown());

/** The `limit` and `cursor` of a paged list. */
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_PAGE_LIMIT = 50;
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT, description: `At most this many items (default ${DEFAULT_PAGE_LIMIT}, at most ${MAX_PAGE_LIMIT}).` })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^[A-Za-z0-9_-]+$', description: 'The `nextCursor` of the page before: where this page begins.' })),
};

/** A page of a list: its items, and the cursor of the next page, null on the last. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null when this is the last.' })),
  });
}
