import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RATING_POLICY, rate, RatingPolicyError, resolveRatingPolicy, toResult } from '../../rating/policy.js';
import type { TaxLookup } from '../../rating/types.js';

function found(totalDueCents: number, delinquentYears: number): TaxLookup {
  return { status: 'FOUND', parcelIds: ['12-345-678'], totalDueCents, delinquentYears, attempts: 1 };
}

describe('rate (default policy)', () => {
  it.each([
    [0, 0, 'A'],
    [-1200, 0, 'A'],
    [0, 1, 'A'],
    [-1, 3, 'A'],
    [1, 0, 'B'],
    [5_000_000, 0, 'B'],
    [1, 1, 'C'],
    [999_999, 1, 'C'],
    [1_000_000, 1, 'D'],
    [2_500_000, 1, 'D'],
    [1, 2, 'D'],
    [999_999, 2, 'D'],
    [100, 5, 'D'],
    // The delinquent sample page: $5,303.62 due, one delinquent year.
    [530362, 1, 'C'],
  ] as const)('total %i cents, %i delinquent years -> %s', (total, years, rating) => {
    expect(rate(found(total, years))).toBe(rating);
  });

  it('passes NOT_FOUND and ERROR through', () => {
    expect(rate({ status: 'NOT_FOUND', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts: 1 })).toBe('NOT_FOUND');
    expect(
      rate({ status: 'ERROR', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts: 7, error: 'HTTP 500 after 7 attempts' }),
    ).toBe('ERROR');
  });
});

describe('configurable policy', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_RATING_POLICY).toEqual({ cThresholdCents: 1_000_000, dDelinquentYears: 2 });
    expect(resolveRatingPolicy()).toEqual({ cThresholdCents: 1_000_000, dDelinquentYears: 2 });
  });

  it('moves the C/D boundary with cThresholdCents', () => {
    const policy = resolveRatingPolicy({ cThresholdCents: 500_000 });
    expect(policy).toEqual({ cThresholdCents: 500_000, dDelinquentYears: 2 });
    expect(rate(found(499_999, 1), policy)).toBe('C');
    expect(rate(found(500_000, 1), policy)).toBe('D');
  });

  it('moves the delinquent years boundary with dDelinquentYears', () => {
    const policy = resolveRatingPolicy({ dDelinquentYears: 3 });
    expect(rate(found(100, 2), policy)).toBe('C');
    expect(rate(found(100, 3), policy)).toBe('D');
  });

  it('refuses unknown keys and bad values', () => {
    expect(() => resolveRatingPolicy({ cThreshold: 5 } as never)).toThrow('unknown rating policy key: cThreshold');
    expect(() => resolveRatingPolicy({ cThresholdCents: 0 })).toThrow(RatingPolicyError);
    expect(() => resolveRatingPolicy({ dDelinquentYears: 1.5 })).toThrow('rating policy dDelinquentYears must be an integer >= 1, got 1.5');
  });
});

describe('toResult', () => {
  it('adds the rating and the check time', () => {
    const lookup = found(530362, 1);
    const result = toResult(lookup, new Date(Date.UTC(2026, 2, 4, 15, 30, 0)));
    expect(result).toEqual({
      status: 'FOUND',
      parcelIds: ['12-345-678'],
      totalDueCents: 530362,
      delinquentYears: 1,
      attempts: 1,
      rating: 'C',
      checkedAt: '2026-03-04T15:30:00.000Z',
    });
    expect(result.parcelIds).not.toBe(lookup.parcelIds);
  });

  it('keeps the error of a failed lookup', () => {
    const result = toResult(
      { status: 'ERROR', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts: 7, error: 'HTTP 500 after 7 attempts' },
      new Date(0),
    );
    expect(result.rating).toBe('ERROR');
    expect(result.error).toBe('HTTP 500 after 7 attempts');
    expect(result.checkedAt).toBe('1970-01-01T00:00:00.000Z');
  });

  it('uses the given policy', () => {
    expect(toResult(found(600_000, 1), new Date(0), resolveRatingPolicy({ cThresholdCents: 600_000 })).rating).toBe('D');
  });
});
