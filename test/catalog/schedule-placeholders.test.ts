import { describe, expect, it } from '@jest/globals';
import { hasPlaceholders, placeholdersIn, renderPlaceholders } from '../../catalog/schedule-placeholders.js';

const dateIn = (iso: string, timezone: string) => renderPlaceholders({ d: '{{scheduledDate}}' }, { time: new Date(iso), timezone })['d'];

describe('renderPlaceholders', () => {
  it('fills {{scheduledTime}} (UTC, to the second) and {{scheduledDate}} inside strings, nested ones too, and leaves the rest as it is', () => {
    const parameters = {
      date: '{{scheduledDate}}',
      key: 'incoming/{{scheduledDate}}/feed-{{scheduledTime}}.csv',
      nested: { list: ['{{scheduledTime}}', 7, null, true], deeper: { at: 'at {{scheduledTime}}' } },
      unknown: '{{scheduledDay}} stays',
      limit: 5,
    };
    const rendered = renderPlaceholders(parameters, { time: new Date('2026-06-15T14:05:09.250Z'), timezone: 'UTC' });
    expect(rendered).toEqual({
      date: '2026-06-15',
      key: 'incoming/2026-06-15/feed-2026-06-15T14:05:09Z.csv',
      nested: { list: ['2026-06-15T14:05:09Z', 7, null, true], deeper: { at: 'at 2026-06-15T14:05:09Z' } },
      unknown: '{{scheduledDay}} stays',
      limit: 5,
    });
    // The caller's object is left as it was.
    expect(parameters.date).toBe('{{scheduledDate}}');
  });

  it('gives the date in the schedule\'s zone: late evening in Chicago is the next day in UTC', () => {
    expect(dateIn('2026-06-16T03:30:00Z', 'America/Chicago')).toBe('2026-06-15');
    expect(dateIn('2026-06-16T03:30:00Z', 'UTC')).toBe('2026-06-16');
    expect(dateIn('2026-06-15T23:30:00Z', 'Asia/Tokyo')).toBe('2026-06-16');
  });

  // Chicago is UTC-6 in winter (CST) and UTC-5 in summer (CDT). The oracle is worked out by hand from those offsets.
  it('follows Chicago across the spring change (2026-03-08, 02:00 CST becomes 03:00 CDT at 08:00 UTC)', () => {
    expect(dateIn('2026-03-08T05:59:59Z', 'America/Chicago')).toBe('2026-03-07'); // 23:59:59 CST on the 7th
    expect(dateIn('2026-03-08T06:00:00Z', 'America/Chicago')).toBe('2026-03-08'); // midnight CST
    expect(dateIn('2026-03-08T07:59:00Z', 'America/Chicago')).toBe('2026-03-08'); // 01:59 CST, the last minute before the change
    expect(dateIn('2026-03-08T08:00:00Z', 'America/Chicago')).toBe('2026-03-08'); // 03:00 CDT
    // The day after, midnight is at 05:00 UTC, not 06:00.
    expect(dateIn('2026-03-09T04:59:00Z', 'America/Chicago')).toBe('2026-03-08');
    expect(dateIn('2026-03-09T05:00:00Z', 'America/Chicago')).toBe('2026-03-09');
  });

  it('follows Chicago across the autumn change (2026-11-01, 02:00 CDT becomes 01:00 CST at 07:00 UTC)', () => {
    expect(dateIn('2026-11-01T04:59:00Z', 'America/Chicago')).toBe('2026-10-31'); // 23:59 CDT on the 31st
    expect(dateIn('2026-11-01T05:00:00Z', 'America/Chicago')).toBe('2026-11-01'); // midnight CDT
    // 01:30 happens twice, an hour apart: both are the 1st.
    expect(dateIn('2026-11-01T06:30:00Z', 'America/Chicago')).toBe('2026-11-01');
    expect(dateIn('2026-11-01T07:30:00Z', 'America/Chicago')).toBe('2026-11-01');
    // The day after, midnight is at 06:00 UTC again.
    expect(dateIn('2026-11-02T05:59:00Z', 'America/Chicago')).toBe('2026-11-01');
    expect(dateIn('2026-11-02T06:00:00Z', 'America/Chicago')).toBe('2026-11-02');
  });
});

describe('placeholdersIn', () => {
  it('names every {{...}} with the JSON Pointer of its value, known or not', () => {
    expect(placeholdersIn({ a: '{{scheduledDate}}', b: { 'c/d': ['x', '{{when}} and {{scheduledTime}}'] }, n: 1 })).toEqual([
      { path: '/a', name: 'scheduledDate', known: true },
      { path: '/b/c~1d/1', name: 'when', known: false },
      { path: '/b/c~1d/1', name: 'scheduledTime', known: true },
    ]);
    expect(hasPlaceholders({ a: 'plain', b: '{{when}}' })).toBe(false);
    expect(hasPlaceholders({ a: ['{{scheduledTime}}'] })).toBe(true);
  });
});
