/**
 * The embedded stack's admin key for the REST API, made at each start and written to
 * stack.json (`api.key`), so a user can authorize in Swagger UI or curl without running
 * `drover api-key create` first.
 */
import { createApiKey, revokeApiKey } from '../ledger/api-keys.js';
import { openLedger } from '../ledger/connect.js';
import { LedgerConflictError } from '../ledger/errors.js';

/** The key's name: what the audit trail and `triggeredBy: "api:stack-admin"` show for its requests. */
export const STACK_API_KEY_NAME = 'stack-admin';

/**
 * A new admin key named STACK_API_KEY_NAME in the ledger at `databaseUrl` (migrated). A key of
 * that name from an earlier start on the same DROVER_HOME is revoked first: keys are stored
 * only hashed, so its text cannot be shown again, and a key nobody holds should not work.
 */
export async function makeStackApiKey(databaseUrl: string): Promise<string> {
  const db = openLedger(databaseUrl, { maxConnections: 1 });
  try {
    const make = () => createApiKey(db, { name: STACK_API_KEY_NAME, role: 'admin' });
    try {
      return (await make()).key;
    } catch (err) {
      if (!(err instanceof LedgerConflictError)) throw err;
      await revokeApiKey(db, STACK_API_KEY_NAME);
      return (await make()).key;
    }
  } finally {
    await db.destroy();
  }
}
