import { describe, expect, it } from '@jest/globals';
import { SeenIds } from '../../sheet/seen-ids.js';

describe('SeenIds', () => {
  it('answers the first row of an id seen before, and records a new one', () => {
    const seen = new SeenIds();
    expect(seen.firstRowOrAdd('C-1', 2)).toBeUndefined();
    expect(seen.firstRowOrAdd('C-2', 3)).toBeUndefined();
    expect(seen.firstRowOrAdd('C-1', 4)).toBe(2);
    expect(seen.firstRowOrAdd('C-1', 5)).toBe(2);
    expect(seen.size).toBe(2);
  });

  it('tells apart ids that share bytes, prefixes and lengths, in any script', () => {
    const seen = new SeenIds();
    const ids = ['', 'a', 'aa', 'ab', 'ba', 'Muñoz', 'Munoz', 'Muñoz ', '日本', '日本語', '😀', 'x'.repeat(1000)];
    ids.forEach((id, i) => expect(seen.firstRowOrAdd(id, i + 10)).toBeUndefined());
    ids.forEach((id, i) => expect(seen.firstRowOrAdd(id, 999)).toBe(i + 10));
    expect(seen.size).toBe(ids.length);
  });

  it('keeps every id exact as it grows past its first arrays', () => {
    const seen = new SeenIds();
    const n = 200_000;
    for (let i = 0; i < n; i++) expect(seen.firstRowOrAdd(`C${i}`, i + 2)).toBeUndefined();
    let wrong = 0;
    for (let i = 0; i < n; i++) if (seen.firstRowOrAdd(`C${i}`, 1) !== i + 2) wrong++;
    expect(wrong).toBe(0);
    expect(seen.firstRowOrAdd(`C${n}`, 7)).toBeUndefined();
    expect(seen.size).toBe(n + 1);
  });
});
