import { readFile, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readCustomerSheet, validateWorkbookFile, type SheetItem } from '../../sheet/index.js';
import { handMadeWorkbook, inlineSheetXml, scratchDir, sheetError, writeWorkbook, writeZip } from './support.js';

let dir: Awaited<ReturnType<typeof scratchDir>>;
beforeAll(async () => {
  dir = await scratchDir();
});
afterAll(async () => {
  await dir.remove();
});

async function file(name: string, data: string | Buffer): Promise<string> {
  const path = dir.path(name);
  await writeFile(path, data);
  return path;
}

/** Reads until the error, recording what was yielded before it. */
async function readUntilError(path: string, limits?: Parameters<typeof readCustomerSheet>[1]): Promise<{ items: SheetItem[]; error: Promise<void> }> {
  const items: SheetItem[] = [];
  const error = (async () => {
    for await (const item of readCustomerSheet(path, limits)) items.push(item);
  })();
  await error.catch(() => undefined);
  return { items, error };
}

const SAVE_AS = 'Open it in Excel and save it as "Excel Workbook (.xlsx)".';

describe('files that are not a usable .xlsx fail before anything is read', () => {
  it('an empty file', async () => {
    const path = await file('empty.xlsx', '');
    const error = await sheetError(validateWorkbookFile(path), 'SHEET_EMPTY_FILE');
    expect(error.message).toBe('The uploaded file is empty (0 bytes). Upload the .xlsx workbook again.');
    const { items, error: readError } = await readUntilError(path);
    await sheetError(readError, 'SHEET_EMPTY_FILE');
    expect(items).toEqual([]);
  });

  it('a file over the size limit, checked before its content', async () => {
    const path = await file('big.xlsx', Buffer.alloc(2048, 1));
    const error = await sheetError(validateWorkbookFile(path, { maxBytes: 1024 }), 'SHEET_TOO_LARGE');
    expect(error.message).toBe('The file is 2 KiB, over the 1 KiB limit on the file size (maxBytes). Split the customers over several workbooks.');
    const workbook = await writeWorkbook(dir.path('small-limit.xlsx'), (wb) => wb.addWorksheet('Customers').addRow(['Customer ID', 'Name']));
    await sheetError(validateWorkbookFile(workbook, { maxBytes: 1000 }), 'SHEET_TOO_LARGE');
  });

  it('a CSV renamed .xlsx', async () => {
    const path = await file('renamed.xlsx', 'Customer ID,Name,Parcel ID\r\nC-1,Ann Lee,123\r\n');
    const error = await sheetError(validateWorkbookFile(path), 'SHEET_NOT_XLSX');
    expect(error.message).toBe(`The file is not an Excel .xlsx workbook: it looks like a CSV or other delimited text file. ${SAVE_AS}`);
    await sheetError(readUntilError(path).then((read) => read.error), 'SHEET_NOT_XLSX');
  });

  it('random bytes, a PDF and plain text, each described', async () => {
    const random = await file('random.xlsx', Buffer.from([0x13, 0x37, 0x00, 0xfe, 0x42, 0x99, 0x01, 0x02, 0x03, 0x04]));
    expect((await sheetError(validateWorkbookFile(random), 'SHEET_NOT_XLSX')).message).toBe(
      `The file is not an Excel .xlsx workbook: it looks like unrecognised binary data (it starts with bytes 13 37 00 fe 42 99 01 02). ${SAVE_AS}`,
    );
    const pdf = await file('report.xlsx', '%PDF-1.7\n%âãÏÓ\n');
    expect((await sheetError(validateWorkbookFile(pdf), 'SHEET_NOT_XLSX')).message).toBe(
      `The file is not an Excel .xlsx workbook: it looks like a PDF document. ${SAVE_AS}`,
    );
    const text = await file('note.xlsx', 'Please find the customers attached.\n');
    expect((await sheetError(validateWorkbookFile(text), 'SHEET_NOT_XLSX')).message).toBe(
      `The file is not an Excel .xlsx workbook: it looks like a plain text file. ${SAVE_AS}`,
    );
  });

  it('a truncated workbook', async () => {
    const whole = await writeWorkbook(dir.path('whole.xlsx'), (wb) => wb.addWorksheet('Customers').addRow(['Customer ID', 'Name']));
    const bytes = await readFile(whole);
    const path = await file('truncated.xlsx', bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_NOT_XLSX')).message).toBe(
      'The file starts like an .xlsx (zip) file but cannot be read: no end of central directory record (truncated or damaged zip). ' +
        'It may be cut short; upload it again.',
    );
  });

  it('an OLE compound file: a legacy .xls or a password-protected workbook', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    const xls = await file('legacy.xlsx', Buffer.concat([ole, Buffer.from('Workbook', 'utf16le')]));
    expect((await sheetError(validateWorkbookFile(xls), 'SHEET_ENCRYPTED')).message).toBe(
      'The file is an OLE compound document: a password-protected workbook or an old Excel 97-2003 .xls. ' +
        'Remove any password and save it as "Excel Workbook (.xlsx)".',
    );
    const encrypted = await file('locked.xlsx', Buffer.concat([ole, Buffer.from('EncryptionInfo\0EncryptedPackage', 'utf16le')]));
    expect((await sheetError(validateWorkbookFile(encrypted), 'SHEET_ENCRYPTED')).message).toBe(
      'The workbook is password-protected, so it cannot be read. Remove the password in Excel ' +
        '(File > Info > Protect Workbook > Encrypt with Password, clear it) and upload it again.',
    );
  });

  it('a zip with encrypted entries', async () => {
    const path = await writeZip(dir.path('zip-password.xlsx'), [{ name: 'xl/workbook.xml', data: 'secret', flags: 1 }]);
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_ENCRYPTED')).message).toBe(
      'The file is a password-protected zip archive (xl/workbook.xml is encrypted). Upload the workbook without a password.',
    );
  });

  it('a zip that is not a workbook, naming the Office file it is when it can', async () => {
    const plain = await writeZip(dir.path('plain.xlsx'), [{ name: 'hello.txt', data: 'hello' }]);
    expect((await sheetError(validateWorkbookFile(plain), 'SHEET_NOT_WORKBOOK')).message).toBe(
      'The file is a zip archive but not an Excel workbook: it has no xl/workbook.xml. Save the customers from Excel as "Excel Workbook (.xlsx)".',
    );
    const docx = await writeZip(dir.path('letter.xlsx'), [{ name: 'word/document.xml', data: '<w:document/>', deflate: true }]);
    expect((await sheetError(validateWorkbookFile(docx), 'SHEET_NOT_WORKBOOK')).message).toBe(
      'The file is a zip archive but not an Excel workbook: it has no xl/workbook.xml (it looks like a Word document). ' +
        'Save the customers from Excel as "Excel Workbook (.xlsx)".',
    );
  });

  it('a workbook whose sheet part is missing', async () => {
    const [workbook, rels] = handMadeWorkbook('');
    const path = await writeZip(dir.path('no-sheet-part.xlsx'), [workbook!, rels!]);
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_NOT_WORKBOOK')).message).toBe(
      'The workbook is damaged: the sheet "Customers & Co" has no part xl/worksheets/data.xml. ' +
        'Open it in Excel, save it as "Excel Workbook (.xlsx)" and upload it again.',
    );
  });
});

describe('zip bombs are refused from the central directory, before inflating', () => {
  it('an entry compressed far beyond what a spreadsheet does', async () => {
    const path = await writeZip(dir.path('ratio.xlsx'), [{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(4 * 1024 * 1024), deflate: true }]);
    // zlib's default level deflates 4 MiB of zeros to 4,080 bytes.
    expect(deflateRawSync(Buffer.alloc(4 * 1024 * 1024)).length).toBe(4080);
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_ZIP_BOMB')).message).toBe(
      `The workbook looks like a zip bomb: xl/worksheets/sheet1.xml would expand from 4 KiB to 4 MiB ` +
        `(1028x, over the 200x limit, maxCompressionRatio). A genuine spreadsheet does not compress that well.`,
    );
  });

  it('a total declared size over the limit', async () => {
    const path = await writeZip(dir.path('huge.xlsx'), [{ name: 'xl/worksheets/sheet1.xml', data: 'x'.repeat(100), declaredSize: 3 * 1024 ** 3 }]);
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_ZIP_BOMB')).message).toBe(
      'The workbook would expand to 3 GiB when unpacked, over the 2 GiB limit (maxUncompressedBytes). ' +
        'It is a zip bomb or far too big a workbook; split the customers over several workbooks.',
    );
  });

  it('an entry that inflates to more than its directory declares', async () => {
    const sheet = inlineSheetXml([['Customer ID', 'Name'], ['A', 'B']]);
    const path = await writeZip(dir.path('liar.xlsx'), handMadeWorkbook(sheet, { declaredSize: 100 }));
    expect((await sheetError(validateWorkbookFile(path), 'SHEET_ZIP_BOMB')).message).toBe(
      'The workbook looks like a zip bomb: xl/worksheets/data.xml unpacks to more than the 100 bytes its zip directory declares.',
    );
  });
});

describe('workbooks without a usable customer sheet', () => {
  it('no worksheets, or only hidden ones', async () => {
    const none = await writeWorkbook(dir.path('no-sheets.xlsx'), () => undefined);
    expect((await sheetError(validateWorkbookFile(none), 'SHEET_NO_SHEETS')).message).toBe(
      'The workbook has no worksheets. Put the customers on a sheet named "Customers".',
    );
    const hidden = await writeWorkbook(dir.path('all-hidden.xlsx'), (wb) => {
      wb.addWorksheet('One', { state: 'hidden' }).addRow(['Customer ID', 'Name']);
      wb.addWorksheet('Two', { state: 'veryHidden' }).addRow(['Customer ID', 'Name']);
    });
    expect((await sheetError(validateWorkbookFile(hidden), 'SHEET_NO_SHEETS')).message).toBe(
      'Every worksheet in the workbook is hidden ("One", "Two"). Unhide the customer sheet or name it "Customers".',
    );
  });

  it('a sheet with no rows, or only blank ones', async () => {
    const empty = await writeWorkbook(dir.path('empty-sheet.xlsx'), (wb) => wb.addWorksheet('Customers'));
    const message = 'The sheet "Customers" is empty: it has no rows. Put the customers on it, under a header row.';
    expect((await sheetError(validateWorkbookFile(empty), 'SHEET_EMPTY')).message).toBe(message);
    const blank = await writeWorkbook(dir.path('blank-rows.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.addRow(['  ', '']);
      sheet.addRow(['\t']);
    });
    expect(await validateWorkbookFile(blank)).toEqual({ bytes: expect.any(Number), rows: 2, sheetName: 'Customers' });
    const { items, error } = await readUntilError(blank);
    expect((await sheetError(error, 'SHEET_EMPTY')).message).toBe(message);
    expect(items).toEqual([]);
  });

  it('a sheet without a header row in its first 10 rows', async () => {
    const path = await writeWorkbook(dir.path('no-header.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.addRow(['Quarterly report']);
      sheet.addRow(['Client', 'Phone', 'Parcel ID']);
      sheet.addRow(['Ann', '555-0100', 12]);
    });
    const { items, error } = await readUntilError(path);
    expect((await sheetError(error, 'SHEET_NO_HEADER')).message).toBe(
      'The sheet "Customers" has no header row in its first 10 rows. A header row names at least the Customer ID column ' +
        '(or "id", "customer #", "customer no", "cust id", "account", "account #") and the Name column ' +
        '(or "customer name", "owner", "owner name", "name of owner"). Row 1 reads: "Quarterly report".',
    );
    expect(items).toEqual([]);
  });

  it('a header below row 10 is not a header', async () => {
    const path = await writeWorkbook(dir.path('late-header.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.getRow(11).values = ['Customer ID', 'Name', 'Parcel ID'];
      sheet.getRow(12).values = ['C-1', 'Ann', 1];
    });
    const { items, error } = await readUntilError(path);
    expect((await sheetError(error, 'SHEET_NO_HEADER')).message).toMatch(/ Row 11 reads: "Customer ID", "Name", "Parcel ID"\.$/);
    expect(items).toEqual([]);
  });

  it('too many customer rows below the header, refused before any item', async () => {
    const path = await writeWorkbook(dir.path('rows.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.addRow(['Customers, exported today']);
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID']);
      for (let i = 1; i <= 5; i++) sheet.addRow([`C-${i}`, `N${i}`, i]);
    });
    const message = 'The sheet "Customers" has 5 rows below its header, over the limit of 4 (SHEET_MAX_ROWS). Split the customers over several workbooks.';
    const { items, error } = await readUntilError(path, { maxRows: 4 });
    expect((await sheetError(error, 'SHEET_TOO_MANY_ROWS')).message).toBe(message);
    expect(items).toEqual([]);
    // Exactly the limit: the title and header rows do not count.
    const read = await readUntilError(path, { maxRows: 5 });
    await expect(read.error).resolves.toBeUndefined();
    expect(read.items.filter((item) => item.kind === 'record')).toHaveLength(5);
  });

  it('too many rows, refused by validation, which counts them all and names the number and the setting', async () => {
    const path = await writeWorkbook(dir.path('rows-many.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.addRow(['Customers, exported today']);
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID']);
      for (let i = 1; i <= 15; i++) sheet.addRow([`C-${i}`, `N${i}`, i]);
    });
    // 17 rows: the title and the header, then 15 customers.
    const message = 'The sheet "Customers" has 15 rows below its header, over the limit of 5 (SHEET_MAX_ROWS). Split the customers over several workbooks.';
    expect((await sheetError(validateWorkbookFile(path, { maxRows: 5 }), 'SHEET_TOO_MANY_ROWS')).message).toBe(message);
    // Past the limit by the header and title rows alone: not too many.
    expect(await validateWorkbookFile(path, { maxRows: 15 })).toEqual({ bytes: expect.any(Number), rows: 17, sheetName: 'Customers' });
    expect((await sheetError(validateWorkbookFile(path, { maxRows: 14 }), 'SHEET_TOO_MANY_ROWS')).message).toMatch(/ has 15 rows below its header, over the limit of 14 /);
    expect((await sheetError((await readUntilError(path, { maxRows: 14 })).error, 'SHEET_TOO_MANY_ROWS')).message).toMatch(/ has 15 rows below its header, over the limit of 14 /);
  });

  it('counts the rows of a sheet far past the limit, to say how many', async () => {
    const path = await writeWorkbook(dir.path('rows-far.xlsx'), (wb) => {
      const sheet = wb.addWorksheet('Customers');
      sheet.addRow(['Customer ID', 'Name', 'Parcel ID']);
      for (let i = 1; i <= 2_500; i++) sheet.addRow([`C-${i}`, `N${i}`, i]);
    });
    expect((await sheetError(validateWorkbookFile(path, { maxRows: 1_000 }), 'SHEET_TOO_MANY_ROWS')).message).toBe(
      'The sheet "Customers" has 2,500 rows below its header, over the limit of 1,000 (SHEET_MAX_ROWS). Split the customers over several workbooks.',
    );
  });

  it('sheet XML that exceljs cannot parse', async () => {
    const broken = inlineSheetXml([['Customer ID', 'Name']]).replace('</row>', '</c></row>');
    const path = await writeZip(dir.path('broken.xlsx'), handMadeWorkbook(broken));
    const { error } = await readUntilError(path);
    const caught = await sheetError(error, 'SHEET_UNREADABLE');
    expect(caught.message).toMatch(/^The sheet "Customers & Co" cannot be read \(.+\)\. Open the workbook in Excel, save it again/);
    expect(caught.cause).toBeInstanceOf(Error);
  });

  it('a file that does not exist', async () => {
    const error = await sheetError(validateWorkbookFile(dir.path('missing.xlsx')), 'SHEET_UNREADABLE');
    expect(error.message).toMatch(/^The uploaded file cannot be opened \(ENOENT: /);
  });
});

describe('limits', () => {
  it('refuses unknown and invalid limits', async () => {
    const path = dir.path('any.xlsx');
    await expect(validateWorkbookFile(path, { maxRow: 5 } as never)).rejects.toMatchObject({
      name: 'SheetLimitsError',
      code: 'SHEET_LIMITS',
      message: 'Unknown sheet limit "maxRow"; known: maxBytes, maxRows, maxCellChars, maxUncompressedBytes, maxCompressionRatio',
    });
    await expect(readUntilError(path, { maxRows: 0 }).then((read) => read.error)).rejects.toMatchObject({
      code: 'SHEET_LIMITS',
      message: 'Sheet limit maxRows must be a positive integer, got 0',
    });
    await expect(validateWorkbookFile(path, { maxCompressionRatio: -1 })).rejects.toMatchObject({
      code: 'SHEET_LIMITS',
      message: 'Sheet limit maxCompressionRatio must be a positive number, got -1',
    });
  });
});
