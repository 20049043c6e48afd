/**
 * The budget's one item in the run table: shared state, the token bucket and every child's
 * concurrency lease, in a partition of its own that the report never reads (run-data/table-layout.ts).
 */
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BUDGET_STATE_SEQ, budgetKey, type Item } from '../run-data/table-layout.js';

export { budgetKey, type Item };
export const STATE_SEQ = BUDGET_STATE_SEQ;

/** Every attribute is written as `#name`, since several (`limit`, ...) are DynamoDB reserved words. */
export function names(...expressions: (string | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const expression of expressions) for (const [, name] of (expression ?? '').matchAll(/#(\w+)/g)) out[`#${name!}`] = name!;
  return out;
}

/** Only the `:values` the expressions use: DynamoDB refuses unused ones. */
export function usedValues(values: Item, ...expressions: (string | undefined)[]): Item {
  const text = expressions.join(' ');
  return Object.fromEntries(Object.entries(values).filter(([key]) => new RegExp(`${key}\\b`).test(text)));
}

/** Three decimals keep DynamoDB's decimal numbers short and clear of float noise. */
export function num(value: number): AttributeValue {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return { N: String(Math.round(value * 1000) / 1000) };
}

/** One child's concurrency lease (an entry of the state item's `leases` map). */
export interface Lease {
  id: string;
  holder: string;
  slots: number;
  expiresAt: number;
}

/** The shared state item, as the budget reads it. Times are epoch ms. */
export interface SharedState {
  /** Slots over all children (`maxConcurrency`). */
  limit: number;
  /** Slots not leased; `limit - free` are leased. Negative after the limit was lowered below what is leased. */
  free: number;
  paused: boolean;
  maxRps?: number;
  /** The adaptive rate in requests per second; absent: no rate limit (the source never throttled and no maxRps). */
  rate?: number;
  tokens: number;
  refilledAt: number;
  /** No request may go out before this (the latest Retry-After). */
  notBefore: number;
  /** Until then throttling does not lower the rate again and the rate does not climb. */
  holdUntil: number;
  /**
   * Throttling episodes in a row, each begun within `recurMs` of the end of the one before
   * (throttle.ts): a pause the source asked for is one episode however many children heard it.
   * Only `throttlesToDecrease` of them in a row lower the rate; a decrease starts the count again.
   */
  episodes: number;
  /** Epoch ms when the latest episode ends: its Retry-After, or the throttle itself when it gave none. */
  episodeEnd: number;
  /** The rate that last worked, which the rate climbs back to multiplicatively after a decrease; absent: unknown. */
  probeTo?: number;
  throttled429: number;
  throttled503: number;
  decreases: number;
  leases: Lease[];
  /** Children waiting for their fair share of the slots (see fair-share.ts). */
  wants: Want[];
}

/** A child that asks for its fair share (an entry of the state item's `wants` map). */
export interface Want {
  id: string;
  /** Epoch ms; a want not renewed by then is ignored (its child died or stopped asking). */
  expiresAt: number;
}

function n(item: Item, key: string, fallback = 0): number {
  const v = item[key]?.N;
  return v === undefined ? fallback : Number(v);
}

export function parseState(item: Item | undefined): SharedState | undefined {
  if (!item?.limit?.N) return undefined;
  return {
    limit: n(item, 'limit'),
    free: n(item, 'free'),
    paused: item.paused?.BOOL === true,
    ...(item.maxRps?.N === undefined ? {} : { maxRps: n(item, 'maxRps') }),
    ...(item.rate?.N === undefined ? {} : { rate: n(item, 'rate') }),
    tokens: n(item, 'tokens'),
    refilledAt: n(item, 'refilledAt'),
    notBefore: n(item, 'notBefore'),
    holdUntil: n(item, 'holdUntil'),
    episodes: n(item, 'episodes'),
    episodeEnd: n(item, 'episodeEnd'),
    ...(item.probeTo?.N === undefined ? {} : { probeTo: n(item, 'probeTo') }),
    throttled429: n(item, 'throttled429'),
    throttled503: n(item, 'throttled503'),
    decreases: n(item, 'decreases'),
    leases: Object.entries(item.leases?.M ?? {}).map(([id, v]) => ({
      id,
      holder: v.M?.holder?.S ?? '',
      slots: Number(v.M?.slots?.N ?? 0),
      expiresAt: Number(v.M?.expiresAt?.N ?? 0),
    })),
    wants: Object.entries(item.wants?.M ?? {}).map(([id, v]) => ({ id, expiresAt: Number(v.N ?? 0) })),
  };
}

/** Sets every attribute a missing state item lacks; an existing value (another child's, or `setBudgetControl`'s) wins. */
export const INIT_STATE =
  'SET #limit = if_not_exists(#limit, :limit), #free = if_not_exists(#free, :limit), #paused = if_not_exists(#paused, :false), ' +
  '#tokens = if_not_exists(#tokens, :zero), #refilledAt = if_not_exists(#refilledAt, :now), #notBefore = if_not_exists(#notBefore, :zero), ' +
  '#holdUntil = if_not_exists(#holdUntil, :zero), #throttled429 = if_not_exists(#throttled429, :zero), ' +
  '#throttled503 = if_not_exists(#throttled503, :zero), #decreases = if_not_exists(#decreases, :zero), #leases = if_not_exists(#leases, :none), ' +
  '#wants = if_not_exists(#wants, :none), #episodes = if_not_exists(#episodes, :zero), #episodeEnd = if_not_exists(#episodeEnd, :zero)';

export function initValues(limit: number, now: number): Item {
  return { ':limit': num(limit), ':false': { BOOL: false }, ':zero': num(0), ':now': num(now), ':none': { M: {} } };
}

/** Creates the state item if needed and returns it as it stands. */
export async function initState(ddb: DynamoDBClient, table: string, maxConcurrency: number, maxRps: number | undefined, now: number): Promise<SharedState> {
  // A configured maxRps starts the bucket at that rate; without one the rate stays absent (unlimited) until throttling.
  const rps = maxRps === undefined ? '' : ', #maxRps = if_not_exists(#maxRps, :rps), #rate = if_not_exists(#rate, :rps)';
  const expression = INIT_STATE + rps;
  const out = await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: budgetKey(STATE_SEQ),
      UpdateExpression: expression,
      ExpressionAttributeNames: names(expression),
      ExpressionAttributeValues: { ...initValues(maxConcurrency, now), ...(maxRps === undefined ? {} : { ':rps': num(maxRps) }) },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return parseState(out.Attributes)!;
}

export async function getState(ddb: DynamoDBClient, table: string, consistent: boolean): Promise<SharedState | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: table, Key: budgetKey(STATE_SEQ), ConsistentRead: consistent }));
  return parseState(out.Item);
}

/** The budget as the progress query shows it. */
export interface BudgetState {
  /** The shared rate in requests per second; null: not rate-limited. */
  rate: number | null;
  /** The configured ceiling of the rate; null: none. */
  maxRps: number | null;
  /**
   * Slots leased by children. Each request in flight holds a slot, so this bounds the
   * requests in flight from above (a child keeps idle slots for `idleReturnMs`).
   */
  inFlight: number;
  /** Slots over all children; 0 before any child or control reached the table. */
  limit: number;
  paused: boolean;
  /** 429 answers reported by children, over the run. */
  throttled429: number;
  throttled503: number;
  /** Times the shared rate was lowered. */
  decreases: number;
  /** Epoch ms before which no child sends (Retry-After); 0 when none was given. */
  notBefore: number;
}

export function toBudgetState(state: SharedState | undefined): BudgetState {
  if (!state) return { rate: null, maxRps: null, inFlight: 0, limit: 0, paused: false, throttled429: 0, throttled503: 0, decreases: 0, notBefore: 0 };
  return {
    rate: state.rate ?? null,
    maxRps: state.maxRps ?? null,
    inFlight: state.limit - state.free,
    limit: state.limit,
    paused: state.paused,
    throttled429: state.throttled429,
    throttled503: state.throttled503,
    decreases: state.decreases,
    notBefore: state.notBefore,
  };
}

/** The run's budget for the progress query: one strongly consistent read. */
export async function readBudgetState(ddb: DynamoDBClient, table: string): Promise<BudgetState> {
  return toBudgetState(await getState(ddb, table, true));
}
