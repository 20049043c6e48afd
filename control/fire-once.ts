/**
 * Firing with an idempotency key (the API's `Idempotency-Key`): a request sent again with the
 * same key and the same job and parameters gets the process the first one made, never a second
 * one, even while the first is still firing; the same key with another request is refused.
 */
import { createHash } from 'node:crypto';
import { errorWithCode } from '../errors/drover-error.js';
import { claimIdempotencyKey, releaseIdempotencyKey } from '../ledger/idempotency-keys.js';
import type { ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';
import { fireProcess, type FireRequest } from './fire-process.js';
import { newProcessId } from './process-id.js';
import { currentProcess } from './process-settle.js';

export class IdempotencyKeyError extends errorWithCode('IdempotencyKeyError', 'IDEMPOTENCY_KEY_REUSED') {}

export interface IdempotencyKey {
  /** Whose key space: the API key's name. */
  keyName: string;
  idempotencyKey: string;
}

export interface FiredOnce {
  process: ProcessView;
  /** True when an earlier request with the key fired it. */
  replayed: boolean;
}

/** JSON with every object's keys sorted: the same request in another key order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(request: Pick<FireRequest, 'jobId' | 'parameters'>): string {
  return createHash('sha256').update(canonical({ jobId: request.jobId, parameters: request.parameters })).digest('hex');
}

async function processExists(deps: ControlDeps, processId: string): Promise<boolean> {
  return (await deps.db.selectFrom('processes').select('process_id').where('process_id', '=', processId).executeTakeFirst()) !== undefined;
}

/**
 * The key is claimed with the process id it will fire under before anything is fired, so a
 * second request with it fires that same id, which fires nothing new. A request refused before
 * its process was recorded (bad parameters, an unknown job) lets go of the key, so the client
 * may send it again corrected.
 */
export async function fireProcessOnce(deps: ControlDeps, request: Omit<FireRequest, 'processId'>, key: IdempotencyKey): Promise<FiredOnce> {
  const hash = requestHash(request);
  const claim = await claimIdempotencyKey(deps.db, { ...key, processId: newProcessId(request.jobId), requestHash: hash });
  if (claim.requestHash !== hash) {
    throw new IdempotencyKeyError(`the Idempotency-Key ${JSON.stringify(key.idempotencyKey)} was used for another request (process ${claim.processId}): send a new key for a new firing`);
  }
  if (await processExists(deps, claim.processId)) return { process: await currentProcess(deps, claim.processId), replayed: true };
  try {
    return { process: await fireProcess(deps, { ...request, processId: claim.processId }), replayed: !claim.claimed };
  } catch (err) {
    if (claim.claimed && !(await processExists(deps, claim.processId))) await releaseIdempotencyKey(deps.db, { ...key, processId: claim.processId });
    throw err;
  }
}
