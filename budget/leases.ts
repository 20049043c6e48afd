/**
 * Concurrency leases. The state item's `free` counts the slots no child holds; a child's
 * lease item says how many it holds and until when. Every change moves slots between the
 * two in one transaction, so `free + sum(lease slots) = limit` always holds, and a dead
 * child's lease is taken back (expired, then deleted with its slots returned) by whichever
 * child next finds no room.
 */
import {
  ConditionalCheckFailedException,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { BUDGET_CHUNK, budgetKey, names, num, STATE_SEQ, type Item } from './state-item.js';

export interface Lease {
  seq: number;
  holder: string;
  slots: number;
  expiresAt: number;
}

/** Why a transaction was refused: the state item's condition, the lease's, or a write race to retry. */
type Refusal = 'state' | 'lease' | 'conflict';

async function transact(ddb: DynamoDBClient, items: TransactWriteItem[]): Promise<Refusal | undefined> {
  try {
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: items }));
    return undefined;
  } catch (err) {
    if (!(err instanceof TransactionCanceledException)) throw err;
    const codes = (err.CancellationReasons ?? []).map((r) => r.Code);
    if (codes[0] === 'ConditionalCheckFailed') return 'state';
    if (codes[1] === 'ConditionalCheckFailed') return 'lease';
    return 'conflict';
  }
}

function update(table: string, seq: number, expression: string, values: Item, condition?: string): TransactWriteItem {
  return {
    Update: {
      TableName: table,
      Key: budgetKey(seq),
      UpdateExpression: expression,
      ...(condition === undefined ? {} : { ConditionExpression: condition }),
      ExpressionAttributeNames: names(expression, condition),
      ExpressionAttributeValues: values,
    },
  };
}

export interface LeaseRef {
  table: string;
  seq: number;
  clientId: string;
  /** Slots the lease item holds now, as this child knows it (0: no item). */
  held: number;
}

/**
 * Moves `k` free slots into the lease (creating it when `held` is 0).
 * 'state': not `k` free, or paused. 'lease': the lease is gone (taken back) or not as we know it.
 */
export async function growLease(ddb: DynamoDBClient, ref: LeaseRef, k: number, expiresAt: number): Promise<Refusal | undefined> {
  const state = update(ref.table, STATE_SEQ, 'SET #free = #free - :k', { ':k': num(k), ':false': { BOOL: false } }, '#free >= :k AND #paused = :false');
  const lease: TransactWriteItem =
    ref.held === 0
      ? {
          Put: {
            TableName: ref.table,
            Item: { ...budgetKey(ref.seq), holder: { S: ref.clientId }, slots: num(k), expiresAt: num(expiresAt) },
            ConditionExpression: 'attribute_not_exists(#seq)',
            ExpressionAttributeNames: { '#seq': 'seq' },
          },
        }
      : update(ref.table, ref.seq, 'SET #slots = #slots + :k, #expiresAt = :exp', { ':k': num(k), ':exp': num(expiresAt), ':held': num(ref.held) }, '#slots = :held');
  return transact(ddb, [state, lease]);
}

/** Moves `k` slots from the lease back to `free`, deleting the lease when it empties. 'lease': it was taken back already. */
export async function shrinkLease(ddb: DynamoDBClient, ref: LeaseRef, k: number, expiresAt: number): Promise<Refusal | undefined> {
  const state = update(ref.table, STATE_SEQ, 'SET #free = #free + :k', { ':k': num(k) });
  const values = { ':held': num(ref.held) };
  const lease: TransactWriteItem =
    k >= ref.held
      ? { Delete: { TableName: ref.table, Key: budgetKey(ref.seq), ConditionExpression: '#slots = :held', ExpressionAttributeNames: { '#slots': 'slots' }, ExpressionAttributeValues: values } }
      : update(ref.table, ref.seq, 'SET #slots = #slots - :k, #expiresAt = :exp', { ...values, ':k': num(k), ':exp': num(expiresAt) }, '#slots = :held');
  return transact(ddb, [state, lease]);
}

/** Extends the lease; false when it is gone (taken back after this child missed renewals). */
export async function renewLease(ddb: DynamoDBClient, ref: LeaseRef, expiresAt: number): Promise<boolean> {
  const { Update } = update(ref.table, ref.seq, 'SET #expiresAt = :exp', { ':exp': num(expiresAt), ':held': num(ref.held) }, '#slots = :held');
  try {
    await ddb.send(new UpdateItemCommand(Update!));
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Every lease in the table, expired ones included. */
export async function listBudgetLeases(ddb: DynamoDBClient, table: string): Promise<Lease[]> {
  const leases: Lease[] = [];
  let start: Item | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#chunk = :c AND #seq > :state',
        ExpressionAttributeNames: { '#chunk': 'chunk', '#seq': 'seq' },
        ExpressionAttributeValues: { ':c': num(BUDGET_CHUNK), ':state': num(STATE_SEQ) },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      leases.push({ seq: Number(item.seq!.N), holder: item.holder?.S ?? '', slots: Number(item.slots?.N ?? 0), expiresAt: Number(item.expiresAt?.N ?? 0) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return leases;
}

/**
 * Takes back every lease that expired more than `skewMs` ago, returning its slots.
 * The delete is conditional on the lease being unchanged, so a child that renewed in the
 * meantime keeps it. Returns the slots freed.
 */
export async function reclaimExpiredLeases(ddb: DynamoDBClient, table: string, now: number, skewMs: number): Promise<number> {
  let freed = 0;
  for (const lease of await listBudgetLeases(ddb, table)) {
    if (lease.expiresAt + skewMs >= now) continue;
    const refused = await transact(ddb, [
      update(table, STATE_SEQ, 'SET #free = #free + :k', { ':k': num(lease.slots) }),
      {
        Delete: {
          TableName: table,
          Key: budgetKey(lease.seq),
          ConditionExpression: '#expiresAt = :exp AND #slots = :k',
          ExpressionAttributeNames: { '#expiresAt': 'expiresAt', '#slots': 'slots' },
          ExpressionAttributeValues: { ':exp': num(lease.expiresAt), ':k': num(lease.slots) },
        },
      },
    ]);
    if (refused === undefined) freed += lease.slots;
  }
  return freed;
}
