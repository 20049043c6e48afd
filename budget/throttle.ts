/** Shared writes on throttling: the Retry-After deadline, the counters and the multiplicative decrease. */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetKey, names, num, parseState, STATE_SEQ, type Item, type SharedState } from './state-item.js';

async function conditional(ddb: DynamoDBClient, table: string, update: string, condition: string | undefined, values: Item): Promise<SharedState | undefined> {
  try {
    const out = await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: budgetKey(STATE_SEQ),
        UpdateExpression: update,
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ExpressionAttributeNames: names(update, condition),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return parseState(out.Attributes);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

/** Moves the shared Retry-After deadline to `until` unless it is later already. */
export async function extendNotBefore(ddb: DynamoDBClient, table: string, until: number): Promise<void> {
  await conditional(ddb, table, 'SET #notBefore = :until', '#notBefore < :until', { ':until': num(until) });
}

/** Adds to the throttling counters; returns the state after. */
export async function countThrottled(ddb: DynamoDBClient, table: string, n429: number, n503: number): Promise<SharedState> {
  const state = await conditional(ddb, table, 'ADD #throttled429 :a, #throttled503 :b', undefined, { ':a': num(n429), ':b': num(n503) });
  return state!;
}

/**
 * Lowers the rate to `rate`, empties the bucket and starts the hold. Conditional on the
 * state being the one the decision was made on, so when several children see the same
 * burst of 429s only one decrease happens per hold. Undefined: someone else moved first.
 */
export async function decreaseRate(ddb: DynamoDBClient, table: string, seen: SharedState, rate: number, refillFrom: number, holdUntil: number): Promise<SharedState | undefined> {
  const update = 'SET #rate = :rate, #tokens = :zero, #refilledAt = :from, #holdUntil = :hold ADD #decreases :one';
  const condition = `#holdUntil = :seenHold AND ${seen.rate === undefined ? 'attribute_not_exists(#rate)' : '#rate = :seenRate'}`;
  const values: Item = {
    ':rate': num(rate),
    ':zero': num(0),
    ':from': num(refillFrom),
    ':hold': num(holdUntil),
    ':one': num(1),
    ':seenHold': num(seen.holdUntil),
    ...(seen.rate === undefined ? {} : { ':seenRate': num(seen.rate) }),
  };
  return conditional(ddb, table, update, condition, values);
}
