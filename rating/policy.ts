import type { CustomerResult, Rating, TaxLookup } from './types.js';
import { errorWithCode } from '../errors/drover-error.js';

/**
 * The thresholds of the default credit rating (shared/specs/tax-portal/README.md). Rules,
 * first match wins:
 * - `A`: total due is 0 or less (credits included), whatever the delinquent years;
 * - `B`: something is due but no year is delinquent;
 * - `D`: `dDelinquentYears` or more delinquent years, or a total due of `cThresholdCents` or more;
 * - `C`: otherwise (some delinquent year, below both thresholds).
 */
export interface RatingPolicy {
  /** Total due, in cents, from which a delinquent customer rates D instead of C. Integer >= 1. Default 1_000_000 ($10,000). */
  cThresholdCents: number;
  /** Distinct delinquent tax years from which a customer rates D. Integer >= 1. Default 2. */
  dDelinquentYears: number;
}

export const DEFAULT_RATING_POLICY: Readonly<RatingPolicy> = Object.freeze({
  cThresholdCents: 1_000_000,
  dDelinquentYears: 2,
});

/** A rating policy that is not an object of known, positive integer thresholds. */
export class RatingPolicyError extends errorWithCode('RatingPolicyError', 'RATING_POLICY') {}

/**
 * Fills a partial policy (e.g. from configuration) with the defaults.
 *
 * @throws {RatingPolicyError} on an unknown key or a value that is not an integer >= 1.
 */
export function resolveRatingPolicy(overrides: Partial<RatingPolicy> = {}): RatingPolicy {
  const policy: Record<string, unknown> = { ...DEFAULT_RATING_POLICY };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_RATING_POLICY)) throw new RatingPolicyError(`unknown rating policy key: ${key}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new RatingPolicyError(`rating policy ${key} must be an integer >= 1, got ${String(value)}`);
    }
    policy[key] = value;
  }
  return policy as unknown as RatingPolicy;
}

/** Rates one looked-up customer. NOT_FOUND and ERROR lookups keep their status as rating. */
export function rate(lookup: TaxLookup, policy: RatingPolicy = DEFAULT_RATING_POLICY): Rating {
  if (lookup.status !== 'FOUND') return lookup.status;
  if (lookup.totalDueCents <= 0) return 'A';
  if (lookup.delinquentYears === 0) return 'B';
  if (lookup.delinquentYears >= policy.dDelinquentYears || lookup.totalDueCents >= policy.cThresholdCents) return 'D';
  return 'C';
}

/** The lookup with its rating and the time of the check (ISO 8601 UTC). */
export function toResult(lookup: TaxLookup, now: Date, policy: RatingPolicy = DEFAULT_RATING_POLICY): CustomerResult {
  return { ...lookup, parcelIds: [...lookup.parcelIds], rating: rate(lookup, policy), checkedAt: now.toISOString() };
}
