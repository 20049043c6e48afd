/**
 * Fair shares of the run's slots. A child may lease up to its block of slots, so a child
 * alone uses the whole limit; when another child finds no free slot and holds less than
 * its share, it says so in the state item's `wants` map, and every holder above the share
 * gives slots back as its requests end. The share is the limit split evenly over the
 * children taking part (leasing or wanting); slots a child leaves go to whoever asks.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LeaseRef } from './leases.js';
import { budgetKey, num, STATE_SEQ, type Item, type SharedState, type Want } from './state-item.js';

/** Slowest and fastest poll of a child that waits for slots. */
const MIN_POLL_MS = 100;
const MAX_POLL_MS = 2000;

export interface Share {
  /** Slots each child taking part may keep: the limit over the children, at least 1. */
  share: number;
  /** Children leasing or wanting slots now, this one included. */
  children: number;
  /** Whether a child other than this one waits for its share: then nobody keeps more than `share`. */
  contested: boolean;
}

export function fairShare(s: SharedState, self: string, now: number, skewMs: number): Share {
  const ids = new Set<string>([self]);
  for (const l of s.leases) if (l.slots > 0 && l.expiresAt + skewMs >= now) ids.add(l.id);
  let contested = false;
  for (const w of s.wants) {
    if (w.expiresAt < now) continue;
    ids.add(w.id);
    if (w.id !== self) contested = true;
  }
  return { share: Math.max(1, Math.floor(s.limit / ids.size)), children: ids.size, contested };
}

/**
 * The longest a waiting child sleeps between looks. Scaled so all waiting children together
 * read the state item about limit / 2 times a second, whether they are 2 or 2,000: a few
 * children see freed slots within 100 ms, many do not flood the table.
 */
export function pollCapMs(children: number, limit: number): number {
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, (MAX_POLL_MS * children) / Math.max(1, limit)));
}

async function updateWant(ddb: DynamoDBClient, ref: Pick<LeaseRef, 'table' | 'id'>, expression: string, values?: Item, condition?: string): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: ref.table,
      Key: budgetKey(STATE_SEQ),
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#wants': 'wants', '#id': ref.id },
      ...(values ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}

/** Says this child waits for its share until `expiresAt` (renewed while it waits). */
export function registerWant(ddb: DynamoDBClient, ref: LeaseRef, expiresAt: number): Promise<void> {
  return updateWant(ddb, ref, 'SET #wants.#id = :exp', { ':exp': num(expiresAt) });
}

export function dropWant(ddb: DynamoDBClient, ref: LeaseRef): Promise<void> {
  return updateWant(ddb, ref, 'REMOVE #wants.#id');
}

/**
 * Removes the wants that expired more than `skewMs` ago (children that died while asking), unless
 * renewed meanwhile. They are ignored already; this keeps the item from collecting them. Returns how many went.
 */
export async function dropExpiredWants(ddb: DynamoDBClient, table: string, wants: Want[], now: number, skewMs: number): Promise<number> {
  let dropped = 0;
  for (const w of wants) {
    if (w.expiresAt + skewMs >= now) continue;
    try {
      await updateWant(ddb, { table, id: w.id }, 'REMOVE #wants.#id', { ':exp': num(w.expiresAt) }, '#wants.#id = :exp');
      dropped++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
  return dropped;
}
