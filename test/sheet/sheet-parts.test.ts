import { describe, expect, it } from '@jest/globals';
import { cellText } from '../../sheet/cell-text.js';
import { CUSTOMER_COLUMNS, matchHeader, type CustomerField } from '../../sheet/header.js';
import { DEFAULT_SHEET_LIMITS } from '../../sheet/index.js';
import { chooseCustomerSheet, parseWorkbookParts } from '../../sheet/workbook-parts.js';

describe('cellText', () => {
  it('writes numbers as Excel shows them, without exponent or float noise', () => {
    expect([12345678, 1002, -7, 1e20, 0.1 + 0.2, 1.5, Number.NaN].map((value) => cellText(value))).toEqual([
      '12345678', '1002', '-7', '100000000000000000000', '0.3', '1.5', '',
    ]);
  });

  it('reads dates, date-formatted numbers (1900 and 1904 systems), booleans, errors, rich text, hyperlinks, formulas', () => {
    expect(cellText(new Date(Date.UTC(2024, 1, 29)))).toBe('2024-02-29');
    expect(cellText(new Date(Date.UTC(2024, 1, 29, 13, 5, 9)))).toBe('2024-02-29 13:05:09');
    expect(cellText(45351, { numFmt: 'yyyy-mm-dd' })).toBe('2024-02-29');
    expect(cellText(43889, { numFmt: 'd-mmm-yy', date1904: true })).toBe('2024-02-29');
    expect(cellText(45351, { numFmt: '"Day" 0' })).toBe('45351');
    expect(cellText(45351, { numFmt: '[Red]0.00' })).toBe('45351');
    expect([true, false].map((value) => cellText(value))).toEqual(['TRUE', 'FALSE']);
    expect(cellText({ error: '#DIV/0!' })).toBe('#DIV/0!');
    expect(cellText({ richText: [{ text: 'A' }, { text: 'b' }, {}] })).toBe('Ab');
    expect(cellText({ text: { richText: [{ text: 'link' }] }, hyperlink: 'https://x' })).toBe('link');
    expect(cellText({ formula: 'A1', result: 12345678 })).toBe('12345678');
    expect(cellText({ sharedFormula: 'A1', result: 'x' })).toBe('x');
    expect(cellText({ formula: 'A1' })).toBe('');
    expect([null, undefined, {}].map((value) => cellText(value))).toEqual(['', '', '']);
  });
});

describe('header matching', () => {
  it('accepts every alias of the spec case-, space- and punctuation-insensitively', () => {
    const spellings: Record<CustomerField, string[]> = {
      customerId: ['Customer ID', 'ID', 'Customer #', 'customer no.', 'CUST ID', 'Account', 'Account #', 'cust_id'],
      name: ['Name', 'Customer Name', 'Owner', ' owner  name ', 'Name of Owner'],
      parcelId: ['Parcel ID', 'Parcel', 'Parcel #', 'Parcel No', 'parcel number', 'APN', 'A.P.N.'],
      county: ['County', 'County Name'],
      state: ['State', 'ST', 'St.'],
      email: ['Email', 'E-mail', 'Contact Email', 'e mail'],
    };
    for (const [field, texts] of Object.entries(spellings)) {
      for (const text of texts) {
        const layout = matchHeader(field === 'customerId' ? [text, 'Name'] : ['Customer ID', 'Owner Name', text]);
        expect({ text, index: layout?.fields[field as CustomerField] }).toEqual({ text, index: field === 'customerId' ? 0 : field === 'name' ? 1 : 2 });
      }
    }
    expect(Object.keys(CUSTOMER_COLUMNS)).toEqual(Object.keys(spellings));
  });

  it('needs both Customer ID and Name; carries the rest, drops trailing blanks', () => {
    expect(matchHeader(['Customer ID', 'Parcel ID'])).toBeUndefined();
    expect(matchHeader(['Name', 'County'])).toBeUndefined();
    expect(matchHeader(['Cust ID', '', 'Name', 'Owner', 'Phone ', '', ''])).toEqual({
      columns: ['Cust ID', '', 'Name', 'Owner', 'Phone'],
      fields: { customerId: 0, name: 2 },
      extras: [
        { name: 'Owner', index: 3 },
        { name: 'Phone', index: 4 },
      ],
    });
  });
});

describe('workbook parts', () => {
  const rels = (targets: [string, string, string][]) =>
    `<Relationships>${targets.map(([id, type, target]) => `<Relationship Id="${id}" Type="http://x/relationships/${type}" Target="${target}"/>`).join('')}</Relationships>`;

  it('maps sheets to parts, relative or absolute, and finds shared strings, styles and the 1904 system', () => {
    const parts = parseWorkbookParts(
      '<workbook><workbookPr date1904="1"/><sheets><sheet name="Chart" sheetId="1" r:id="rId1"/>' +
        '<sheet name="A &amp; B" sheetId="2" state="hidden" r:id="rId2"/><sheet name="Main" sheetId="3" r:id="rId3"/></sheets></workbook>',
      rels([
        ['rId1', 'chartsheet', 'chartsheets/sheet1.xml'],
        ['rId2', 'worksheet', 'worksheets/sheet2.xml'],
        ['rId3', 'worksheet', '/xl/worksheets/../worksheets/main.xml'],
        ['rId4', 'sharedStrings', 'sharedStrings.xml'],
        ['rId5', 'styles', '/xl/styles.xml'],
      ]),
    );
    expect(parts).toEqual({
      sheets: [
        { name: 'Chart', hidden: false, path: 'xl/chartsheets/sheet1.xml', isWorksheet: false },
        { name: 'A & B', hidden: true, path: 'xl/worksheets/sheet2.xml', isWorksheet: true },
        { name: 'Main', hidden: false, path: 'xl/worksheets/main.xml', isWorksheet: true },
      ],
      sharedStringsPath: 'xl/sharedStrings.xml',
      stylesPath: 'xl/styles.xml',
      date1904: true,
    });
    expect(chooseCustomerSheet(parts.sheets)?.name).toBe('Main');
    expect(chooseCustomerSheet([...parts.sheets, { name: ' customers ', hidden: true, path: 'x', isWorksheet: true }])?.name).toBe(' customers ');
  });

  it('has the spec defaults', () => {
    expect(DEFAULT_SHEET_LIMITS).toEqual({
      maxBytes: 104857600,
      maxRows: 1000000,
      maxCellChars: 1000,
      maxUncompressedBytes: 2147483648,
      maxCompressionRatio: 200,
    });
  });
});
