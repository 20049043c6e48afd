/** The source budget's options: documented, validated, unknown keys refused. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BudgetOptionsError } from './errors.js';

export interface SourceBudgetOptions {
  /** Client of the DynamoDB that holds the run table. Required. */
  ddb: DynamoDBClient;
  /** The run table (`drover-run-<runId>`, key `chunk` N + `seq` N). Required. */
  table: string;
  /** Who holds a lease, for people reading the table (the Batch job id). Non-empty string. Required. */
  clientId: string;
  /**
   * Requests to the source in flight at once over all children of the run. Integer >= 1.
   * Required. The first child (or `setBudgetControl`) to reach the table sets it; later
   * children adopt the shared value.
   */
  maxConcurrency: number;
  /** Requests per second over all children, and the ceiling adaptive increase stops at. Number > 0. Default: no limit until the source throttles. */
  maxRps?: number;
  /** Most slots this child leases (its own concurrency). Integer >= 1. Default 8. */
  blockSize?: number;
  /** How long a lease lives without renewal: the longest a dead child keeps its slots. Integer ms >= 500. Default 10000. */
  leaseMs?: number;
  /** How often a busy or waiting child re-reads the shared state (pause, Retry-After, rate). Integer ms >= 50. Default 1000. */
  refreshMs?: number;
  /** Idle time after which unused slots go back to the other children. Integer ms >= 0. Default 250. */
  idleReturnMs?: number;
  /** Extra time past a lease's expiry before another child takes it back, for clock skew between containers. Integer ms >= 0. Default 1000. */
  clockSkewMs?: number;
  /** Multiplicative decrease of the shared rate when throttling keeps coming back. Number in (0, 1). Default 0.5. */
  decreaseFactor?: number;
  /**
   * Throttling episodes in a row that lower the rate (throttle.ts). A 429/503 with Retry-After is a
   * pause of every child, not a verdict on the rate; one that keeps coming back soon after each
   * pause, or a run of them without Retry-After, is. Integer >= 1. Default 3.
   */
  throttlesToDecrease?: number;
  /** An episode that begins within this long of the end of the one before continues the run of them. Integer ms >= 0. Default 1000. */
  recurMs?: number;
  /** Growth of the shared rate per second while below the rate that last worked (after a decrease). Number > 1. Default 2. */
  probeFactor?: number;
  /** Additive increase of the shared rate above the rate that last worked, in requests per second gained per second without throttling. Number > 0. Default 1. */
  increaseRps?: number;
  /** Floor of the adaptive rate, requests per second. Number > 0. Default 1. */
  minRps?: number;
  /** After a decrease, further throttling is not counted again for this long (past any Retry-After), and the rate does not climb. Integer ms >= 0. Default 1000. */
  cooldownMs?: number;
  /** Token bucket capacity in seconds of the rate (the burst allowed after a lull); also bounds a child's batch of tokens. Number > 0. Default 0.1. */
  burstSeconds?: number;
}

export type ResolvedBudgetOptions = Required<Omit<SourceBudgetOptions, 'maxRps'>> & Pick<SourceBudgetOptions, 'maxRps'>;

const DEFAULTS = {
  blockSize: 8,
  leaseMs: 10_000,
  refreshMs: 1000,
  idleReturnMs: 250,
  clockSkewMs: 1000,
  decreaseFactor: 0.5,
  throttlesToDecrease: 3,
  recurMs: 1000,
  probeFactor: 2,
  increaseRps: 1,
  minRps: 1,
  cooldownMs: 1000,
  burstSeconds: 0.1,
} as const;

const KEYS = new Set<string>(['ddb', 'table', 'clientId', 'maxConcurrency', 'maxRps', ...Object.keys(DEFAULTS)]);

function fail(message: string): never {
  throw new BudgetOptionsError(`source budget option ${message}`);
}

function integer(raw: Record<string, unknown>, key: string, min: number, fallback?: number): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(`${key} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function positive(raw: Record<string, unknown>, key: string, fallback: number | undefined, max = Infinity): number | undefined {
  const value = raw[key] ?? fallback;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= max) {
    fail(`${key} must be a number above 0${max === Infinity ? '' : ` and below ${max}`}, got ${String(value)}`);
  }
  return value;
}

function aboveOne(raw: Record<string, unknown>, key: string, fallback: number): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 1) fail(`${key} must be a number above 1, got ${String(value)}`);
  return value;
}

/** @throws {BudgetOptionsError} on a missing or bad value or an unknown key. */
export function resolveBudgetOptions(options: SourceBudgetOptions): ResolvedBudgetOptions {
  if (typeof options !== 'object' || options === null) fail('object is required');
  const raw = options as unknown as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) fail(`keys unknown: ${unknown.join(', ')}; known: ${[...KEYS].join(', ')}`);
  if (typeof raw.ddb !== 'object' || raw.ddb === null || typeof (raw.ddb as { send?: unknown }).send !== 'function') fail('ddb must be a DynamoDBClient');
  for (const key of ['table', 'clientId'] as const) {
    if (typeof raw[key] !== 'string' || (raw[key] as string).trim() === '') fail(`${key} must be a non-empty string`);
  }
  return {
    ddb: options.ddb,
    table: options.table,
    clientId: options.clientId,
    maxConcurrency: integer(raw, 'maxConcurrency', 1),
    maxRps: positive(raw, 'maxRps', undefined),
    blockSize: integer(raw, 'blockSize', 1, DEFAULTS.blockSize),
    leaseMs: integer(raw, 'leaseMs', 500, DEFAULTS.leaseMs),
    refreshMs: integer(raw, 'refreshMs', 50, DEFAULTS.refreshMs),
    idleReturnMs: integer(raw, 'idleReturnMs', 0, DEFAULTS.idleReturnMs),
    clockSkewMs: integer(raw, 'clockSkewMs', 0, DEFAULTS.clockSkewMs),
    decreaseFactor: positive(raw, 'decreaseFactor', DEFAULTS.decreaseFactor, 1)!,
    throttlesToDecrease: integer(raw, 'throttlesToDecrease', 1, DEFAULTS.throttlesToDecrease),
    recurMs: integer(raw, 'recurMs', 0, DEFAULTS.recurMs),
    probeFactor: aboveOne(raw, 'probeFactor', DEFAULTS.probeFactor),
    increaseRps: positive(raw, 'increaseRps', DEFAULTS.increaseRps)!,
    minRps: positive(raw, 'minRps', DEFAULTS.minRps)!,
    cooldownMs: integer(raw, 'cooldownMs', 0, DEFAULTS.cooldownMs),
    burstSeconds: positive(raw, 'burstSeconds', DEFAULTS.burstSeconds)!,
  };
}
