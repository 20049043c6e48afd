import { describe, expect, it } from '@jest/globals';
import { countyNormalForm, ownerNormalForm, parcelIdNormalForm } from '../../scraper/query-normal-form.js';

describe('the normal form of what a lookup sends', () => {
  it('writes owners and counties upper-case, single-spaced and trimmed', () => {
    expect(['cherry', 'keith', '  Lincoln ', 'box\t\tbutte', '\u00a0LOGAN\n', 'LINCOLN'].map(countyNormalForm)).toEqual([
      'CHERRY', 'KEITH', 'LINCOLN', 'BOX BUTTE', 'LOGAN', 'LINCOLN',
    ]);
    expect([' double  r cattle co ', "O'Connor Ranch", 'Maria & Jose\u00a0Hernandez', 'DOUBLE R CATTLE CO', ' '].map(ownerNormalForm)).toEqual([
      'DOUBLE R CATTLE CO', "O'CONNOR RANCH", 'MARIA & JOSE HERNANDEZ', 'DOUBLE R CATTLE CO', '',
    ]);
  });

  it('keeps digits and dashes only in a parcel id', () => {
    expect(['12-345-678', ' APN 123.456 ', '１２３', '77–88', '-', 'N/A', '--12--'].map(parcelIdNormalForm)).toEqual([
      '12-345-678', '123456', '123', '77-88', '', '', '12',
    ]);
  });

  it('leaves a value already in its normal form as it is', () => {
    for (const text of ['  Lincoln ', 'maría  muñoz', 'straße', ' 12 – 345 – 678 ', '１２３']) {
      expect(ownerNormalForm(ownerNormalForm(text))).toBe(ownerNormalForm(text));
      expect(countyNormalForm(countyNormalForm(text))).toBe(countyNormalForm(text));
      expect(parcelIdNormalForm(parcelIdNormalForm(text))).toBe(parcelIdNormalForm(text));
    }
  });
});
