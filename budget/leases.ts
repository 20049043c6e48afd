/**
 * Concurrency leases. The state item's `free` counts the slots no child holds, and its
 * `leases` map says, per child, how many it holds and until when. Every change moves
 * slots between the two in one conditional UpdateItem of that one item, so
 * `free + sum(lease slots) = limit` always holds, and a dead child's lease is taken back
 * (expired, then removed with its slots returned) by whichever child next finds no room.
 *
 * One item rather than an item per lease plus transactions: a single-item update is
 * atomic on DynamoDB and in the emulator alike (moto's TransactWriteItems rolls back by
 * restoring a copy of the whole table, which loses other clients' concurrent writes). The
 * price is item size: about 60 bytes per lease, at most one lease per slot, so a limit of
 * 50 keeps every write of the state item within 3 KB.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetKey, getState, names, num, STATE_SEQ, type Item, type Lease } from './state-item.js';

export type { Lease } from './state-item.js';

export interface LeaseRef {
  table: string;
  /** Key of this process's entry in the `leases` map (a retried child gets a new one). */
  id: string;
  clientId: string;
  /** Slots the lease holds now, as this child knows it (0: no entry). */
  held: number;
}

/** An update of the state item; false when its condition failed. */
async function update(ddb: DynamoDBClient, table: string, id: string, expression: string, condition: string, values: Item): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: budgetKey(STATE_SEQ),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: { ...names(expression, condition), '#id': id },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

const MINE = '#leases.#id';

/** Moves `k` free slots into this child's lease (creating it when `held` is 0). False: not `k` free, paused, or the lease is not as we know it. */
export async function growLease(ddb: DynamoDBClient, ref: LeaseRef, k: number, expiresAt: number): Promise<boolean> {
  const gate = '#free >= :k AND #paused = :false';
  const values: Item = { ':k': num(k), ':false': { BOOL: false } };
  if (ref.held === 0) {
    values[':lease'] = { M: { holder: { S: ref.clientId }, slots: num(k), expiresAt: num(expiresAt) } };
    return update(ddb, ref.table, ref.id, `SET #free = #free - :k, ${MINE} = :lease`, `${gate} AND attribute_not_exists(${MINE})`, values);
  }
  Object.assign(values, { ':held': num(ref.held), ':exp': num(expiresAt) });
  return update(
    ddb,
    ref.table,
    ref.id,
    `SET #free = #free - :k, ${MINE}.#slots = ${MINE}.#slots + :k, ${MINE}.#expiresAt = :exp`,
    `${gate} AND ${MINE}.#slots = :held`,
    values,
  );
}

/** Moves `k` slots from the lease back to `free`, removing the lease when it empties. False: it was taken back already. */
export async function shrinkLease(ddb: DynamoDBClient, ref: LeaseRef, k: number, expiresAt: number): Promise<boolean> {
  const values: Item = { ':k': num(Math.min(k, ref.held)), ':held': num(ref.held) };
  if (k >= ref.held) return update(ddb, ref.table, ref.id, `SET #free = #free + :k REMOVE ${MINE}`, `${MINE}.#slots = :held`, values);
  values[':exp'] = num(expiresAt);
  return update(ddb, ref.table, ref.id, `SET #free = #free + :k, ${MINE}.#slots = ${MINE}.#slots - :k, ${MINE}.#expiresAt = :exp`, `${MINE}.#slots = :held`, values);
}

/** Extends the lease; false when it is gone (taken back after this child missed renewals). */
export async function renewLease(ddb: DynamoDBClient, ref: LeaseRef, expiresAt: number): Promise<boolean> {
  return update(ddb, ref.table, ref.id, `SET ${MINE}.#expiresAt = :exp`, `${MINE}.#slots = :held`, { ':exp': num(expiresAt), ':held': num(ref.held) });
}

/** Every lease of the run's budget, expired ones included. */
export async function listBudgetLeases(ddb: DynamoDBClient, table: string): Promise<Lease[]> {
  return (await getState(ddb, table, true))?.leases ?? [];
}

/**
 * Takes back every lease that expired more than `skewMs` ago, returning its slots.
 * Conditional on the lease being unchanged, so a child that renewed meanwhile keeps it.
 * Returns the slots freed.
 */
export async function reclaimExpiredLeases(ddb: DynamoDBClient, table: string, leases: Lease[], now: number, skewMs: number): Promise<number> {
  let freed = 0;
  for (const lease of leases) {
    if (lease.expiresAt + skewMs >= now) continue;
    const taken = await update(ddb, table, lease.id, `SET #free = #free + :k REMOVE ${MINE}`, `${MINE}.#expiresAt = :exp AND ${MINE}.#slots = :k`, {
      ':k': num(lease.slots),
      ':exp': num(lease.expiresAt),
    });
    if (taken) freed += lease.slots;
  }
  return freed;
}
