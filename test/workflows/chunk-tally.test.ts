import { describe, expect, it } from '@jest/globals';
import { ChunkTally } from '../../workflows/chunk-tally.js';

describe('ChunkTally', () => {
  it('adds what running chunks have written to what ended chunks counted, and ignores a late word from an ended chunk', () => {
    const tally = new ChunkTally();
    expect([tally.done, tally.failed]).toEqual([0, 0]);
    tally.running(0, 100, 40, 2);
    tally.running(1, 50, 10, 0);
    expect([tally.done, tally.failed]).toEqual([50, 2]);
    // A later word replaces the earlier one; it does not add to it.
    tally.running(0, 100, 70, 3);
    expect([tally.done, tally.failed]).toEqual([80, 3]);
    // The job's own count takes over once it ends: 100 done, 5 ERROR or missing.
    tally.ended(0, 100, 5);
    expect([tally.done, tally.failed]).toEqual([110, 5]);
    tally.running(0, 100, 90, 1);
    tally.ended(0, 100, 5);
    expect([tally.done, tally.failed]).toEqual([110, 5]);
  });

  it('holds a count that ran past its chunk (a retried write) to the chunk size', () => {
    const tally = new ChunkTally();
    tally.running(3, 50, 75, 60);
    expect([tally.done, tally.failed]).toEqual([50, 50]);
  });
});
