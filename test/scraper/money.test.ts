import { describe, expect, it } from '@jest/globals';
import { MoneyFormatError, parseMoney } from '../../scraper/money.js';

describe('parseMoney', () => {
  it.each([
    ['$1,234.56', 123456],
    ['$0.00', 0],
    ['($12.00)', -1200],
    ['\u2014', 0],
    ['\u2013', 0],
    ['-', 0],
    ['', 0],
    ['  ', 0],
    ['$5', 500],
    ['$5.5', 550],
    ['$3,210.40', 321040],
    ['$1,000,000.00', 100000000],
    ['1234.56', 123456],
    ['-$12.00', -1200],
    ['($0.00)', 0],
    [' $2,105.22\u00a0', 210522],
    ['$0.10', 10],
    ['$90,071,992,547,409.91', 9007199254740991],
  ])('%j -> %i cents', (text, cents) => {
    expect(parseMoney(text)).toBe(cents);
  });

  it('never returns -0', () => {
    expect(Object.is(parseMoney('($0.00)'), 0)).toBe(true);
  });

  it.each(['abc', '$1,23.00', '$12.345', '($12.00', '$12.00)', '-($1.00)', '$', '$1.2.3', '1,2345', 'USD 5', '$90,071,992,547,409.92'])(
    'refuses %j',
    (text) => {
      let caught: unknown;
      try {
        parseMoney(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MoneyFormatError);
      expect((caught as MoneyFormatError).name).toBe('MoneyFormatError');
      expect((caught as MoneyFormatError).code).toBe('SCRAPER_MONEY_FORMAT');
      expect((caught as MoneyFormatError).text).toBe(text);
    },
  );
});
