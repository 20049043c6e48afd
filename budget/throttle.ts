/**
 * Shared writes on throttling. A 429 or 503 is first of all a pause: with Retry-After the
 * whole run waits until then, and the rate stays as it was (a maintenance window says "come
 * back at T", nothing about the rate). Throttles are grouped into episodes: one pause is one
 * episode however many children were told, and a throttle without Retry-After is an episode of
 * its own. Only episodes that keep coming back, each within `recurMs` of the end of the one
 * before, say that the rate itself is too high: `throttlesToDecrease` of them in a row lower it.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetKey, names, num, parseState, STATE_SEQ, usedValues, type Item, type SharedState } from './state-item.js';

async function conditional(ddb: DynamoDBClient, table: string, update: string, condition: string | undefined, values: Item): Promise<SharedState | undefined> {
  try {
    const out = await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: budgetKey(STATE_SEQ),
        UpdateExpression: update,
        ...(condition === undefined ? {} : { ConditionExpression: condition }),
        ExpressionAttributeNames: names(update, condition),
        ExpressionAttributeValues: usedValues(values, update, condition),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return parseState(out.Attributes);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

export interface Episode {
  episodes: number;
  episodeEnd: number;
}

/**
 * The episode count after throttles seen at `now`, given the state: within an episode still
 * running (its pause not over) the count stands; a throttle within `recurMs` of the last
 * episode's end adds one; a later one starts again at 1. `until` is the latest Retry-After
 * deadline among the throttles (0: none gave one).
 */
export function nextEpisode(s: Pick<SharedState, 'episodes' | 'episodeEnd'>, now: number, until: number, recurMs: number): Episode {
  const episodeEnd = Math.max(s.episodeEnd, until, now);
  if (s.episodes > 0 && now <= s.episodeEnd) return { episodes: s.episodes, episodeEnd };
  if (s.episodes > 0 && now - s.episodeEnd <= recurMs) return { episodes: s.episodes + 1, episodeEnd };
  return { episodes: 1, episodeEnd };
}

/**
 * Counts the throttles, moves the shared Retry-After deadline to `until` (unless it is later
 * already) and sets the episode, in one write conditional on the episode being the one
 * `seen` had. Undefined: another child moved first; read again and decide again.
 */
export async function recordThrottles(
  ddb: DynamoDBClient,
  table: string,
  seen: SharedState,
  counts: { n429: number; n503: number },
  until: number,
  episode: Episode,
): Promise<SharedState | undefined> {
  const later = until > seen.notBefore;
  const update = `SET #episodes = :episodes, #episodeEnd = :end${later ? ', #notBefore = :until' : ''} ADD #throttled429 :a, #throttled503 :b`;
  const condition = `#episodes = :seenEpisodes AND #episodeEnd = :seenEnd AND #notBefore = :seenNotBefore`;
  const values: Item = {
    ':episodes': num(episode.episodes),
    ':end': num(episode.episodeEnd),
    ':until': num(until),
    ':a': num(counts.n429),
    ':b': num(counts.n503),
    ':seenEpisodes': num(seen.episodes),
    ':seenEnd': num(seen.episodeEnd),
    ':seenNotBefore': num(seen.notBefore),
  };
  return conditional(ddb, table, update, condition, values);
}

/** Moves the shared Retry-After deadline to `until` unless it is later already (when the episode write kept losing). */
export async function extendNotBefore(ddb: DynamoDBClient, table: string, until: number): Promise<void> {
  await conditional(ddb, table, 'SET #notBefore = :until', '#notBefore < :until', { ':until': num(until) });
}

/** Adds to the throttling counters; returns the state after. */
export async function countThrottled(ddb: DynamoDBClient, table: string, n429: number, n503: number): Promise<SharedState> {
  const state = await conditional(ddb, table, 'ADD #throttled429 :a, #throttled503 :b', undefined, { ':a': num(n429), ':b': num(n503) });
  return state!;
}

/**
 * Lowers the rate to `rate`, empties the bucket, starts the hold, sets the rate to climb back
 * to (`probeTo`; undefined keeps the one known) and starts the episode count again. Conditional
 * on the state being the one the decision was made on, so when several children see the same
 * burst of 429s only one decrease happens per hold. Undefined: someone else moved first.
 */
export async function decreaseRate(
  ddb: DynamoDBClient,
  table: string,
  seen: SharedState,
  rate: number,
  refillFrom: number,
  holdUntil: number,
  probeTo?: number,
): Promise<SharedState | undefined> {
  const probe = probeTo === undefined ? '' : ', #probeTo = :probeTo';
  const update = `SET #rate = :rate, #tokens = :zero, #refilledAt = :from, #holdUntil = :hold, #episodes = :zero${probe} ADD #decreases :one`;
  const condition = `#holdUntil = :seenHold AND ${seen.rate === undefined ? 'attribute_not_exists(#rate)' : '#rate = :seenRate'}`;
  const values: Item = {
    ':rate': num(rate),
    ':zero': num(0),
    ':from': num(refillFrom),
    ':hold': num(holdUntil),
    ':one': num(1),
    ':seenHold': num(seen.holdUntil),
    ...(probeTo === undefined ? {} : { ':probeTo': num(probeTo) }),
    ...(seen.rate === undefined ? {} : { ':seenRate': num(seen.rate) }),
  };
  return conditional(ddb, table, update, condition, values);
}
