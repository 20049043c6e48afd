import { describe, expect, it } from '@jest/globals';
import { rate } from '../../rating/policy.js';
import { specRating } from '../support/expected.js';

/**
 * The e2e suites judge reports by the tests' own oracle (test/support/expected.ts), not by
 * rating/: here the oracle is held to the spec's table, and production to the oracle.
 */
describe("the tests' rating oracle", () => {
  it.each([
    [0, 0, 'A'],
    [-1200, 2, 'A'],
    [1, 0, 'B'],
    [5_000_000, 0, 'B'],
    [1, 1, 'C'],
    [999_999, 1, 'C'],
    [1_000_000, 1, 'D'],
    [1, 2, 'D'],
    [530362, 1, 'C'],
  ] as const)('total %i cents, %i delinquent years -> %s, as the spec table says', (total, years, rating) => {
    expect(specRating(true, total, years)).toBe(rating);
  });

  it('says NOT_FOUND when no parcel was found', () => {
    expect(specRating(false, 0, 0)).toBe('NOT_FOUND');
  });

  it('agrees with the production policy over the thresholds', () => {
    for (const totalDueCents of [-1, 0, 1, 999_999, 1_000_000, 1_000_001, 5_000_000]) {
      for (const delinquentYears of [0, 1, 2, 3]) {
        const lookup = { status: 'FOUND' as const, parcelIds: ['1'], totalDueCents, delinquentYears, attempts: 1 };
        expect([totalDueCents, delinquentYears, rate(lookup)]).toEqual([totalDueCents, delinquentYears, specRating(true, totalDueCents, delinquentYears)]);
      }
    }
  });
});
