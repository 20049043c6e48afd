import { describe, expect, it } from '@jest/globals';
import { BenchError } from '../../bench/errors.js';
import { evenShare, planConcurrency } from '../../bench/plan.js';

describe('the bench spreads its concurrency over Batch children', () => {
  it('keeps children few, and lets each take all of C, which the source budget shares between them', () => {
    expect(planConcurrency(20_000, 100)).toEqual({ children: 2, perChild: 100, recordsPerChild: 10_000, maxArrayJobs: 4 });
    expect(planConcurrency(500, 20)).toEqual({ children: 1, perChild: 20, recordsPerChild: 500, maxArrayJobs: 4 });
    expect(planConcurrency(2000, 100)).toEqual({ children: 2, perChild: 100, recordsPerChild: 1000, maxArrayJobs: 4 });
    expect(planConcurrency(2000, 200)).toEqual({ children: 4, perChild: 200, recordsPerChild: 500, maxArrayJobs: 8 });
    expect(planConcurrency(1000, 75)).toMatchObject({ children: 2, perChild: 75 });
  });

  it('gives every child an equal slice of a chunk, in full waves', () => {
    expect(evenShare(100_000, 4)).toBe(5000);
    expect(evenShare(1_000_000, 4)).toBe(10_000);
    expect(evenShare(1000, 4)).toBe(250);
    expect(evenShare(3, 4)).toBe(1);
  });

  it('takes an explicit records per child, within the setting bounds', () => {
    expect(planConcurrency(2000, 100, 50).recordsPerChild).toBe(50);
    expect(() => planConcurrency(2000, 100, 20_000)).toThrow(BenchError);
    expect(() => planConcurrency(0, 100)).toThrow(expect.objectContaining({ code: 'BENCH_BAD_OPTIONS' }));
  });
});
