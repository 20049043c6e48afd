/** The API's `Idempotency-Key`s: which process a key's first request fired (migrations/0003-idempotency.ts). */
import type { Ledger } from './connect.js';

export interface IdempotencyClaim {
  processId: string;
  requestHash: string;
  /** True when this call made the claim; false when the key had been claimed before. */
  claimed: boolean;
}

/**
 * Claims `idempotencyKey` of `keyName` for `processId`, or returns the earlier claim. One
 * statement, so two requests racing with one key get one claim between them.
 */
export async function claimIdempotencyKey(db: Ledger, c: { keyName: string; idempotencyKey: string; processId: string; requestHash: string }): Promise<IdempotencyClaim> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ key_name: c.keyName, idempotency_key: c.idempotencyKey, process_id: c.processId, request_hash: c.requestHash })
    .onConflict((oc) => oc.columns(['key_name', 'idempotency_key']).doNothing())
    .returning(['process_id', 'request_hash'])
    .executeTakeFirst();
  if (inserted) return { processId: inserted.process_id, requestHash: inserted.request_hash, claimed: true };
  const held = await db
    .selectFrom('idempotency_keys')
    .select(['process_id', 'request_hash'])
    .where('key_name', '=', c.keyName)
    .where('idempotency_key', '=', c.idempotencyKey)
    .executeTakeFirstOrThrow();
  return { processId: held.process_id, requestHash: held.request_hash, claimed: false };
}

/** Lets go of a claim whose request fired nothing (refused), so the client may send it again corrected. */
export async function releaseIdempotencyKey(db: Ledger, c: { keyName: string; idempotencyKey: string; processId: string }): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('key_name', '=', c.keyName).where('idempotency_key', '=', c.idempotencyKey).where('process_id', '=', c.processId).execute();
}
