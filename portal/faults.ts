/** Transient faults the demo portal injects, chosen reproducibly from the seed and request number. */
import { mix, unit } from './hash.js';

/**
 * - `500`: a 500 error page.
 * - `reset`: the connection is reset (TCP RST) with no answer.
 * - `truncated`: the real answer's status and headers, its body cut off before `</html>`.
 * - `maintenance`: 503 with the maintenance page, on every other such fault with `Retry-After`.
 * - `maintenance200`: the maintenance page with status 200, as sites behind a careless proxy
 *   answer: whole HTML, but no parcel in it.
 * - `429`: 429 with `Retry-After`.
 * - `slow`: the real answer, `slowMs` late.
 * - `hang`: no answer at all until the client gives up or the portal closes.
 */
export type FaultKind = '500' | 'reset' | 'truncated' | 'maintenance' | 'maintenance200' | '429' | 'slow' | 'hang';

export const FAULT_KINDS: readonly FaultKind[] = ['500', 'reset', 'truncated', 'maintenance', 'maintenance200', '429', 'slow', 'hang'];

/** Every kind but `hang`, which only a client with a timeout survives and which makes runs slow. */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ['500', 'reset', 'truncated', 'maintenance', 'maintenance200', '429', 'slow'];

/** The fault (if any) of the `requestNumber`-th portal request. */
export function pickFault(seed: number, requestNumber: number, faultRate: number, kinds: readonly FaultKind[]): FaultKind | undefined {
  if (faultRate <= 0 || kinds.length === 0) return undefined;
  if (unit(mix(seed, 0xfa17, requestNumber)) >= faultRate) return undefined;
  return kinds[mix(seed, 0xfa18, requestNumber) % kinds.length];
}

/** Whether a maintenance fault sends Retry-After (the spec says: sometimes). */
export function maintenanceRetryAfter(seed: number, requestNumber: number): boolean {
  return (mix(seed, 0x503, requestNumber) & 1) === 1;
}

/** Where a truncated body stops: between 30% and 80% of the way to `</html>`. */
export function truncationPoint(seed: number, requestNumber: number, body: string): number {
  const end = body.lastIndexOf('</html>');
  const limit = end < 0 ? body.length : end;
  return Math.max(1, Math.floor(limit * (0.3 + 0.5 * unit(mix(seed, 0x7c, requestNumber)))));
}
