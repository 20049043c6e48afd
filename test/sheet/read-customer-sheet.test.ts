import { statSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readCustomerSheet, validateWorkbookFile, type SheetItem } from '../../sheet/index.js';
import { collect, handMadeWorkbook, inlineSheetXml, scratchDir, writeWorkbook, writeZip } from './support.js';

let dir: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => {
  dir = await scratchDir();
});
afterAll(async () => {
  await dir.remove();
});

/** Title, date and blank rows above an aliased header; every kind of cell value and cleansing case below it. */
async function messyWorkbook(path: string): Promise<string> {
  return writeWorkbook(path, (workbook) => {
    const notes = workbook.addWorksheet('Notes');
    notes.addRow(['Customer ID', 'Name']);
    notes.addRow(['X-1', 'Not a customer sheet']);
    const sheet = workbook.addWorksheet('Customers');
    sheet.addRow(['Ranch credit check']);
    sheet.addRow([new Date(Date.UTC(2024, 2, 1))]);
    sheet.getCell('A2').numFmt = 'mm/dd/yyyy';
    sheet.addRow([]);
    sheet.getRow(4).values = ['Cust ID', 'Owner Name', 'APN', 'county name', 'St', 'E-mail', 'Signed Up', 'Notes', 'Active'];
    const data: unknown[][] = [
      ['C-001', '  john \t  smith ', 12345678, 'Travis', 'TX', { text: 'john@example.com', hyperlink: 'mailto:john@example.com' }, new Date(Date.UTC(2023, 3, 5)), 'vip', true],
      [1002, { richText: [{ text: 'Mar' }, { text: 'ía  Muñoz', font: { bold: true } }] }, ' 12-345-678 ', ' Hays ', 'tx', 'maria@example.com', null, null, false],
      [],
      ['C-003', 'Ann Lee', null, 'Hays', 'TX', null, null, { error: '#N/A' }],
      ['C-004', 'Bob Ray', '', '', 'TX'],
      [null, 'No Id', 555, 'Travis'],
      ['C-001', 'John Again', 999, 'Travis'],
      ['C-006', { formula: '"ACME"&" LLC"', result: 'ACME LLC' }, { formula: '1000+234', result: 1234 }, 'Bexar', 'TX', null, { formula: 'DATE(2024,2,29)', result: 45351 }, { formula: '0.1+0.2', result: 0.30000000000000004 }],
      ['C-007', 'Long Notes', 7, 'Bexar', 'TX', null, null, 'x'.repeat(1001)],
      ['C-008', 'Zed Zee', 'APN 77–88', null, null, null, null, null, null, 'beyond the header'],
      ['   ', null, '  '],
    ];
    data.forEach((values, i) => {
      sheet.getRow(5 + i).values = values as ExcelJS.CellValue[];
    });
    sheet.getCell('G5').numFmt = 'yyyy-mm-dd';
    sheet.getCell('G12').numFmt = 'd-mmm-yy';
  });
}
describe('readCustomerSheet', () => {
  it('reads a messy sheet: header below titles, aliases, every cell kind, cleansing, rejections in row order', async () => {
    const path = await messyWorkbook(dir.path('messy.xlsx'));
    const items = await collect(readCustomerSheet(path));
    const extra = (signedUp: string, notes: string, active: string) => ({ 'Signed Up': signedUp, Notes: notes, Active: active });
    const expected: SheetItem[] = [
      {
        kind: 'header',
        sheetName: 'Customers',
        headerRow: 4,
        columns: ['Cust ID', 'Owner Name', 'APN', 'county name', 'St', 'E-mail', 'Signed Up', 'Notes', 'Active'],
        extraColumns: ['Signed Up', 'Notes', 'Active'],
      },
      {
        kind: 'record',
        record: {
          seq: 0, row: 5, customerId: 'C-001', name: 'john smith', searchName: 'JOHN SMITH', parcelId: '12345678',
          county: 'Travis', state: 'TX', email: 'john@example.com', extra: extra('2023-04-05', 'vip', 'TRUE'),
        },
      },
      {
        kind: 'record',
        record: {
          seq: 1, row: 6, customerId: '1002', name: 'María Muñoz', searchName: 'MARÍA MUÑOZ', parcelId: '12-345-678',
          county: 'Hays', state: 'tx', email: 'maria@example.com', extra: extra('', '', 'FALSE'),
        },
      },
      {
        kind: 'record',
        record: {
          seq: 2, row: 8, customerId: 'C-003', name: 'Ann Lee', searchName: 'ANN LEE', parcelId: '',
          county: 'Hays', state: 'TX', email: '', extra: extra('', '#N/A', ''),
        },
      },
      {
        kind: 'rejected',
        rejected: {
          row: 9,
          raw: ['C-004', 'Bob Ray', '', '', 'TX', '', '', '', ''],
          reason: 'missing Parcel ID and County: a row needs a Parcel ID, or a Name and a County to search by',
        },
      },
      { kind: 'rejected', rejected: { row: 10, raw: ['', 'No Id', '555', 'Travis', '', '', '', '', ''], reason: 'missing Customer ID' } },
      {
        kind: 'rejected',
        rejected: {
          row: 11,
          raw: ['C-001', 'John Again', '999', 'Travis', '', '', '', '', ''],
          reason: 'duplicate Customer ID "C-001": first seen on row 5',
        },
      },
      {
        kind: 'record',
        record: {
          seq: 3, row: 12, customerId: 'C-006', name: 'ACME LLC', searchName: 'ACME LLC', parcelId: '1234',
          county: 'Bexar', state: 'TX', email: '', extra: extra('2024-02-29', '0.3', ''),
        },
      },
      {
        kind: 'rejected',
        rejected: {
          row: 13,
          raw: ['C-007', 'Long Notes', '7', 'Bexar', 'TX', '', '', `${'x'.repeat(1000)}…`, ''],
          reason: 'the cell in column H ("Notes") is 1,001 characters long, over the 1,000-character limit on a cell (maxCellChars)',
        },
      },
      {
        kind: 'record',
        record: {
          seq: 4, row: 14, customerId: 'C-008', name: 'Zed Zee', searchName: 'ZED ZEE', parcelId: '77-88',
          county: '', state: '', email: '', extra: extra('', '', ''),
        },
      },
    ];
    expect(items).toEqual(expected);
  });

  it('counts the cell limit in characters and applies a configured limit', async () => {
    const path = await writeWorkbook(dir.path('cell-limit.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Customers');
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID']);
      sheet.addRow(['A-1', '😀😀😀😀😀', '1']);
      sheet.addRow(['A-2', '😀😀😀😀😀😀', '2']);
    });
    const items = await collect(readCustomerSheet(path, { maxCellChars: 5 }));
    expect(items.slice(1)).toEqual([
      { kind: 'record', record: expect.objectContaining({ customerId: 'A-1', name: '😀😀😀😀😀' }) },
      {
        kind: 'rejected',
        rejected: {
          row: 3,
          raw: ['A-2', '😀😀😀😀😀…', '2'],
          reason: 'the cell in column B ("Name") is 6 characters long, over the 5-character limit on a cell (maxCellChars)',
        },
      },
    ]);
  });

  it('skips a hidden first sheet and reads the first visible one', async () => {
    const path = await writeWorkbook(dir.path('hidden-first.xlsx'), (workbook) => {
      const hidden = workbook.addWorksheet('Old', { state: 'hidden' });
      hidden.addRow(['Customer ID', 'Name', 'Parcel ID']);
      hidden.addRow(['OLD-1', 'Stale', '1']);
      const data = workbook.addWorksheet('Data');
      data.addRow(['Account #', 'Name of Owner', 'Parcel Number', 'Contact Email']);
      data.addRow(['A-9', 'Jo Doe', '9-9', 'jo@example.com']);
      workbook.addWorksheet('Later').addRow(['Customer ID', 'Name']);
    });
    const items = await collect(readCustomerSheet(path));
    expect(items).toEqual([
      {
        kind: 'header', sheetName: 'Data', headerRow: 1,
        columns: ['Account #', 'Name of Owner', 'Parcel Number', 'Contact Email'], extraColumns: [],
      },
      {
        kind: 'record',
        record: {
          seq: 0, row: 2, customerId: 'A-9', name: 'Jo Doe', searchName: 'JO DOE', parcelId: '9-9',
          county: '', state: '', email: 'jo@example.com', extra: {},
        },
      },
    ]);
  });

  it('prefers a sheet named Customers (any case) even when it is not first', async () => {
    const path = await writeWorkbook(dir.path('customers-later.xlsx'), (workbook) => {
      workbook.addWorksheet('Intro').addRow(['Customer ID', 'Name', 'Parcel ID']);
      workbook.getWorksheet('Intro')!.addRow(['I-1', 'Intro Row', '1']);
      const sheet = workbook.addWorksheet('CUSTOMERS');
      sheet.addRow(['ID', 'Owner', 'Parcel #', 'County', 'State', 'Notes', 'notes']);
      sheet.addRow(['K-1', 'Kim', '', 'Llano', 'TX', 'a', 'b']);
    });
    const items = await collect(readCustomerSheet(path));
    expect(items).toEqual([
      {
        kind: 'header', sheetName: 'CUSTOMERS', headerRow: 1,
        columns: ['ID', 'Owner', 'Parcel #', 'County', 'State', 'Notes', 'notes'], extraColumns: ['Notes', 'notes (2)'],
      },
      {
        kind: 'record',
        record: {
          seq: 0, row: 2, customerId: 'K-1', name: 'Kim', searchName: 'KIM', parcelId: '',
          county: 'Llano', state: 'TX', email: '', extra: { Notes: 'a', 'notes (2)': 'b' },
        },
      },
    ]);
  });

  it('reads packages written by other tools: absolute targets, prefixed XML, inline strings, no shared strings', async () => {
    const path = await writeZip(
      dir.path('hand-made.xlsx'),
      handMadeWorkbook(inlineSheetXml([['Customer No', 'Customer Name', 'Parcel'], ['N-1', 'Lee &amp; Sons', '4&lt;5-6']])),
    );
    expect(await validateWorkbookFile(path)).toEqual({ bytes: expect.any(Number), rows: 2, sheetName: 'Customers & Co' });
    const items = await collect(readCustomerSheet(path));
    expect(items[1]).toEqual({
      kind: 'record',
      record: {
        seq: 0, row: 2, customerId: 'N-1', name: 'Lee & Sons', searchName: 'LEE & SONS', parcelId: '45-6',
        county: '', state: '', email: '', extra: {},
      },
    });
  });

  it('keeps multi-byte characters whole across stream chunks (exceljs decodes chunks separately)', async () => {
    const count = 4000;
    const path = await writeWorkbook(dir.path('unicode.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Customers');
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID', 'Notes']);
      for (let i = 0; i < count; i++) sheet.addRow([`C${i}`, `Muñoz-${i} 東京`, 1000 + i, { richText: [{ text: `Ünï ${i} ✓` }] }]);
    });
    const names: string[] = [];
    const notes: string[] = [];
    for await (const item of readCustomerSheet(path)) {
      if (item.kind === 'record') {
        names.push(item.record.name);
        notes.push(item.record.extra['Notes'] ?? '');
      }
    }
    expect(names).toEqual(Array.from({ length: count }, (_, i) => `Muñoz-${i} 東京`));
    expect(notes).toEqual(Array.from({ length: count }, (_, i) => `Ünï ${i} ✓`));
  });

  it('can be abandoned part way and read again', async () => {
    const path = await writeWorkbook(dir.path('abandon.xlsx'), (workbook) => {
      const sheet = workbook.addWorksheet('Customers');
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID']);
      for (let i = 0; i < 2000; i++) sheet.addRow([`C${i}`, `N${i}`, i + 1]);
    });
    const seen: number[] = [];
    for await (const item of readCustomerSheet(path)) {
      if (item.kind === 'record') seen.push(item.record.seq);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    const items = await collect(readCustomerSheet(path));
    expect(items.length).toBe(2001);
    expect(items[2000]).toEqual({
      kind: 'record',
      record: { seq: 1999, row: 2001, customerId: 'C1999', name: 'N1999', searchName: 'N1999', parcelId: '2000', county: '', state: '', email: '', extra: {} },
    });
  });
});

describe('validateWorkbookFile', () => {
  it('reports the size, the rows of the chosen sheet counted without parsing, and the sheet', async () => {
    const path = await messyWorkbook(dir.path('messy-validate.xlsx'));
    // 15 rows in all, but the two empty ones are not written to the file.
    expect(await validateWorkbookFile(path)).toEqual({ bytes: statSync(path).size, rows: 13, sheetName: 'Customers' });
  });
});
