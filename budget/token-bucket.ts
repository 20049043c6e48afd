/**
 * The shared token bucket: `tokens`, `refilledAt` and `rate` on the state item.
 * DynamoDB cannot compute min(capacity, tokens + rate * elapsed) itself, so the child
 * computes the refill from the state it last saw and makes the write conditional on that
 * state still holding (`refilledAt` and `rate` unchanged); the capacity is enforced by
 * picking, from the current `tokens`, one of two conditional forms. Between refills a
 * take is a plain conditional decrement, which never conflicts with other takes.
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { budgetKey, names, num, parseState, STATE_SEQ, type Item, type SharedState } from './state-item.js';

/** A refill is only worth a contended write once this much time has passed since the last. */
const REFILL_MIN_MS = 20;

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Bucket capacity: `burstSeconds` of the rate, at least one token. */
export function capacity(rate: number, burstSeconds: number): number {
  return Math.max(1, round3(rate * burstSeconds));
}

/** Highest adaptive rate without a maxRps: the multiplicative climb stops here rather than overflow a number. */
export const MAX_RATE = 1_000_000;

export interface ClimbOptions {
  /** Requests per second gained per second above the rate that last worked. */
  increaseRps: number;
  /** Factor the rate grows by per second below the rate that last worked (or while none is known). */
  probeFactor: number;
}

/**
 * The rate after climbing from `from` to `now`, never past maxRps nor during the hold after a
 * decrease. Below `probeTo`, the rate that last worked, it grows `probeFactor` times a second, as
 * TCP's slow start does, so a rate halved by throttling is back within a second or two; above it
 * the climb is additive, `increaseRps` a second, probing carefully past what is known to work.
 * With no `probeTo` known, the growth is multiplicative until the source throttles again.
 */
export function climbedRate(state: SharedState, now: number, o: ClimbOptions): number {
  const rate = state.rate!;
  const from = Math.max(state.refilledAt, state.holdUntil);
  if (now <= from) return rate;
  const ceiling = Math.min(state.maxRps ?? MAX_RATE, MAX_RATE);
  if (rate >= ceiling) return round3(Math.min(rate, ceiling));
  const seconds = (now - from) / 1000;
  const target = state.probeTo === undefined ? ceiling : Math.min(state.probeTo, ceiling);
  let climbed: number;
  if (rate < target) {
    const toTarget = Math.log(target / rate) / Math.log(o.probeFactor);
    climbed = seconds <= toTarget ? rate * o.probeFactor ** seconds : target + o.increaseRps * (seconds - toTarget);
  } else climbed = rate + o.increaseRps * seconds;
  return round3(Math.min(ceiling, climbed));
}

export type TakeOutcome =
  /** `granted` tokens are this child's; `state` is the item after the take. */
  | { kind: 'taken'; granted: number; state: SharedState }
  /** The bucket (as last seen) has under one token: try again after `waitMs`. */
  | { kind: 'empty'; waitMs: number }
  /** Another child changed the state first (or a pause or Retry-After came in): re-read it. */
  | { kind: 'stale' };

export interface TakeOptions extends ClimbOptions {
  burstSeconds: number;
}

/** One try at taking up to `want` tokens, given the state last seen. `seen.rate` must be set. */
export async function takeTokens(ddb: DynamoDBClient, table: string, seen: SharedState, want: number, now: number, o: TakeOptions): Promise<TakeOutcome> {
  const rate = seen.rate!;
  const cap = capacity(rate, o.burstSeconds);
  const elapsed = now - seen.refilledAt;
  // A decrease may set refilledAt ahead (to the end of a Retry-After): nothing accrues before that.
  if (elapsed < 0) return { kind: 'empty', waitMs: -elapsed };
  const values: Item = { ':now': num(now), ':false': { BOOL: false } };
  const gate = '#notBefore <= :now AND #paused = :false';
  let update: string;
  let condition: string;
  let granted: number;

  if (elapsed < REFILL_MIN_MS && seen.tokens >= 1) {
    granted = Math.min(want, Math.floor(seen.tokens));
    update = 'SET #tokens = #tokens - :n';
    condition = `#tokens >= :n AND ${gate}`;
    values[':n'] = num(granted);
  } else {
    const add = round3((rate * elapsed) / 1000);
    const available = Math.min(cap, round3(seen.tokens + add));
    if (available < 1) return { kind: 'empty', waitMs: Math.max(1, Math.ceil(((1 - available) * 1000) / rate)) };
    granted = Math.min(want, Math.floor(available));
    Object.assign(values, { ':seenAt': num(seen.refilledAt), ':seenRate': num(rate), ':rate': num(climbedRate(seen, now, o)), ':room': num(cap - add) });
    const base = `#refilledAt = :seenAt AND #rate = :seenRate AND ${gate}`;
    if (seen.tokens + add <= cap) {
      // Not full: add the refill and take, as long as nobody took so much that we would go negative.
      update = 'SET #tokens = #tokens + :delta, #refilledAt = :now, #rate = :rate';
      condition = `${base} AND #tokens <= :room AND #tokens >= :needed`;
      values[':delta'] = num(add - granted);
      values[':needed'] = num(granted - add);
    } else {
      // Full: whatever others took meanwhile, tokens + add still exceeds the capacity (checked atomically), so the bucket is exactly full.
      update = 'SET #tokens = :left, #refilledAt = :now, #rate = :rate';
      condition = `${base} AND #tokens > :room`;
      values[':left'] = num(cap - granted);
    }
  }
  try {
    const out = await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: budgetKey(STATE_SEQ),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names(update, condition),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { kind: 'taken', granted, state: parseState(out.Attributes)! };
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return { kind: 'stale' };
    throw err;
  }
}
