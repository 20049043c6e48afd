import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openReportWriter, reportFileName, type ReportRow, REPORT_COLUMNS } from '../../report/write-report.js';
import { CURRENCY_FORMAT, UTC_DATE_FORMAT } from '../../report/cells.js';
import type { Rating } from '../../rating/types.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function row(seq: number, rating: Rating, over: { name?: string; cents?: number; error?: string; notes?: string; parcels?: string[] } = {}): ReportRow {
  return {
    record: {
      seq,
      row: seq + 2,
      customerId: `C${100 + seq}`,
      name: over.name ?? `Owner ${seq}`,
      searchName: (over.name ?? `Owner ${seq}`).toUpperCase(),
      parcelId: '',
      county: 'Pima',
      state: 'AZ',
      email: '',
      extra: { 'Region Notes': over.notes ?? `note ${seq}` },
    },
    result: {
      status: rating === 'ERROR' ? 'ERROR' : rating === 'NOT_FOUND' ? 'NOT_FOUND' : 'FOUND',
      parcelIds: over.parcels ?? [`100-${seq}`],
      totalDueCents: over.cents ?? 0,
      delinquentYears: rating === 'D' ? 3 : 0,
      attempts: seq + 1,
      rating,
      checkedAt: `2024-05-01T12:3${seq}:56.000Z`,
      ...(over.error === undefined ? {} : { error: over.error }),
    },
  };
}

const LONG_ERROR = 'Portal answered HTTP 503 Service Unavailable four times in a row';

const ROWS: ReportRow[] = [
  row(0, 'A', { name: 'Ann & Bob <script>alert(1)</script>', notes: '=1+1', parcels: ['101-22-333', '101-22-334'] }),
  row(1, 'B', { name: '+1 ranch', cents: 123456 }),
  row(2, 'C', { name: '-minus', cents: 5 }),
  row(3, 'D', { name: '@at', cents: 100000001 }),
  row(4, 'NOT_FOUND', { parcels: [] }),
  row(5, 'ERROR', { error: LONG_ERROR, parcels: [] }),
];

async function read(path: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book;
}

function sheet(book: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = book.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

function values(ws: ExcelJS.Worksheet, rowNumber: number): unknown[] {
  return (ws.getRow(rowNumber).values as unknown[]).slice(1);
}

describe('openReportWriter', () => {
  let book: ExcelJS.Workbook;
  let totals: Awaited<ReturnType<Awaited<ReturnType<typeof openReportWriter>>['finish']>>;
  let spoolDir: string;

  beforeAll(async () => {
    const path = join(dir, 'report.xlsx');
    spoolDir = await mkdtemp(join(dir, 'spool-'));
    const writer = await openReportWriter({
      path,
      extraColumns: ['Region Notes'],
      inputHeaders: ['Cust ID', 'Owner Name', 'APN'],
      widthSampleRows: 2,
      tempDir: spoolDir,
    });
    // Rejected rows come before, between and after the customers; the sheet order stays fixed.
    await writer.addRejected([{ row: 5, raw: ['', 'Nobody'], reason: 'missing Customer ID' }]);
    await writer.addRows(ROWS.slice(0, 3));
    await writer.addRejected([{ row: 9, raw: ['C100', 'Dup', '=SUM(A1:A2)'], reason: 'duplicate Customer ID C100 (first on row 2)' }]);
    await writer.addRows(ROWS.slice(3));
    totals = await writer.finish({
      runId: 'run-1',
      inputFile: 'uploads/ranch & co.xlsx',
      startedAt: new Date('2024-05-01T12:00:00Z'),
      finishedAt: new Date('2024-05-01T12:45:30Z'),
      stageSeconds: { ingest: 1.5, fanOut: 2700, report: 3 },
      rejectedCount: 2,
    });
    book = await read(path);
  });

  it('returns the totals', () => {
    expect(totals).toEqual({
      customers: 6,
      byRating: { A: 1, B: 1, C: 1, D: 1, NOT_FOUND: 1, ERROR: 1 },
      totalDueCents: 123456 + 5 + 100000001,
      rejected: 2,
    });
  });

  it('writes the three sheets in order', () => {
    expect(book.worksheets.map((ws) => ws.name)).toEqual(['Credit worthiness', 'Summary', 'Rejected']);
  });

  it('writes the header and the customers in the order fed', () => {
    const ws = sheet(book, 'Credit worthiness');
    expect(values(ws, 1)).toEqual([...REPORT_COLUMNS, 'Region Notes']);
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.rowCount).toBe(7);
    expect(values(ws, 2)).toEqual([
      'C100',
      'Ann & Bob <script>alert(1)</script>',
      'Pima',
      'AZ',
      '101-22-333, 101-22-334',
      0,
      0,
      'A',
      new Date('2024-05-01T12:30:56.000Z'),
      1,
      undefined,
      '=1+1',
    ]);
    expect(values(ws, 7)).toEqual([
      'C105',
      'Owner 5',
      'Pima',
      'AZ',
      undefined,
      0,
      0,
      'ERROR',
      new Date('2024-05-01T12:35:56.000Z'),
      6,
      LONG_ERROR,
      'note 5',
    ]);
    expect([2, 3, 4, 5, 6, 7].map((r) => ws.getCell(r, 1).value)).toEqual(['C100', 'C101', 'C102', 'C103', 'C104', 'C105']);
  });

  it('writes Total Due as a number of dollars with a currency format', () => {
    const ws = sheet(book, 'Credit worthiness');
    const cells = [3, 4, 5].map((r) => ws.getCell(r, 6));
    expect(cells.map((c) => c.value)).toEqual([1234.56, 0.05, 1000000.01]);
    expect(cells.map((c) => c.type)).toEqual([ExcelJS.ValueType.Number, ExcelJS.ValueType.Number, ExcelJS.ValueType.Number]);
    expect(cells.map((c) => c.numFmt)).toEqual([CURRENCY_FORMAT, CURRENCY_FORMAT, CURRENCY_FORMAT]);
    expect(ws.getCell(2, 9).numFmt).toBe(UTC_DATE_FORMAT);
  });

  it('writes text that looks like a formula as text', () => {
    const ws = sheet(book, 'Credit worthiness');
    const cells = [ws.getCell(2, 12), ws.getCell(3, 2), ws.getCell(4, 2), ws.getCell(5, 2)];
    expect(cells.map((c) => c.value)).toEqual(['=1+1', '+1 ranch', '-minus', '@at']);
    expect(cells.map((c) => c.type)).toEqual([ExcelJS.ValueType.String, ExcelJS.ValueType.String, ExcelJS.ValueType.String, ExcelJS.ValueType.String]);
    expect(cells.map((c) => c.formula)).toEqual([undefined, undefined, undefined, undefined]);
    const rejected = sheet(book, 'Rejected').getCell(3, 4);
    expect([rejected.value, rejected.type, rejected.formula]).toEqual(['=SUM(A1:A2)', ExcelJS.ValueType.String, undefined]);
  });

  it('freezes the header, filters it and fits the widths', () => {
    const ws = sheet(book, 'Credit worthiness');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:L7');
    // Header length + 3, or the longest value + 3, as measured over the sample and beyond it.
    expect(ws.getColumn(1).width).toBe('Customer ID'.length + 3);
    expect(ws.getColumn(2).width).toBe('Ann & Bob <script>alert(1)</script>'.length + 3);
    expect(ws.getColumn(9).width).toBe(26);
    // ERROR arrived after the two-row sample, so Error keeps its header's width.
    expect(ws.getColumn(11).width).toBe(8);
  });

  it('writes the Summary', () => {
    const ws = sheet(book, 'Summary');
    const rows = Array.from({ length: ws.rowCount }, (_, i) => values(ws, i + 1));
    expect(rows).toEqual([
      ['Item', 'Value'],
      ['Run ID', 'run-1'],
      ['Input file', 'uploads/ranch & co.xlsx'],
      ['Started at', new Date('2024-05-01T12:00:00Z')],
      ['Finished at', new Date('2024-05-01T12:45:30Z')],
      ['Customers', 6],
      ['Rating A', 1],
      ['Rating B', 1],
      ['Rating C', 1],
      ['Rating D', 1],
      ['Rating NOT_FOUND', 1],
      ['Rating ERROR', 1],
      ['Rejected rows', 2],
      ['Total due', 1001234.62],
      ['Seconds in ingest', 1.5],
      ['Seconds in fanOut', 2700],
      ['Seconds in report', 3],
    ]);
    expect(ws.getCell(14, 2).numFmt).toBe(CURRENCY_FORMAT);
    expect(ws.getCell(4, 2).numFmt).toBe(UTC_DATE_FORMAT);
  });

  it('writes the Rejected rows with one column per raw value and the reason last', () => {
    const ws = sheet(book, 'Rejected');
    expect(ws.rowCount).toBe(3);
    expect(values(ws, 1)).toEqual(['Input Row', 'Cust ID', 'Owner Name', 'APN', 'Reason']);
    expect(values(ws, 2)).toEqual([5, undefined, 'Nobody', undefined, 'missing Customer ID']);
    expect(values(ws, 3)).toEqual([9, 'C100', 'Dup', '=SUM(A1:A2)', 'duplicate Customer ID C100 (first on row 2)']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:E3');
    expect(ws.getColumn(5).width).toBe('duplicate Customer ID C100 (first on row 2)'.length + 3);
  });

  it('removes its temporary rejected-row file', async () => {
    expect(await readdir(spoolDir)).toEqual([]);
  });
});

describe('openReportWriter, edge cases', () => {
  it('writes all three sheets with headers when there are no rows', async () => {
    const path = join(dir, 'empty.xlsx');
    const writer = await openReportWriter({ path, extraColumns: [] });
    const totals = await writer.finish({
      runId: 'r',
      inputFile: 'empty.xlsx',
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      stageSeconds: {},
      rejectedCount: 0,
    });
    expect(totals).toEqual({ customers: 0, byRating: { A: 0, B: 0, C: 0, D: 0, NOT_FOUND: 0, ERROR: 0 }, totalDueCents: 0, rejected: 0 });
    const book = await read(path);
    expect(book.worksheets.map((ws) => [ws.name, ws.rowCount])).toEqual([
      ['Credit worthiness', 1],
      ['Summary', 14],
      ['Rejected', 1],
    ]);
    expect(values(sheet(book, 'Rejected'), 1)).toEqual(['Input Row', 'Reason']);
  });

  it('refuses unknown options', async () => {
    await expect(
      openReportWriter({ path: join(dir, 'x.xlsx'), extraColumns: [], colour: 'red' } as never),
    ).rejects.toMatchObject({ name: 'ReportWriterError', code: 'REPORT_OPTIONS', message: 'Unknown report writer option(s): colour' });
  });

  it('fails when the output folder does not exist', async () => {
    await expect(openReportWriter({ path: join(dir, 'missing', 'x.xlsx'), extraColumns: [] })).rejects.toMatchObject({
      name: 'ReportWriterError',
      code: 'REPORT_OUTPUT',
    });
  });

  it('fails, and removes the partial file, when the rejected count disagrees', async () => {
    const path = join(dir, 'mismatch.xlsx');
    const writer = await openReportWriter({ path, extraColumns: [] });
    await writer.addRows([row(0, 'A')]);
    await expect(
      writer.finish({ runId: 'r', inputFile: 'a.xlsx', startedAt: new Date(0), finishedAt: new Date(0), stageSeconds: {}, rejectedCount: 1 }),
    ).rejects.toMatchObject({ code: 'REPORT_REJECTED_MISMATCH' });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writer.addRows([row(1, 'B')])).rejects.toMatchObject({ code: 'REPORT_STATE' });
  });
});

describe('reportFileName', () => {
  it('names the report after the input stem and the run id', () => {
    expect(reportFileName('uploads/2024/customers.xlsx', 'credit-check-abc123')).toBe('credit-report-customers-credit-check-abc123.xlsx');
    expect(reportFileName('ranch list.v2.xlsx', 'r1')).toBe('credit-report-ranch list.v2-r1.xlsx');
    expect(reportFileName('uploads/a:b?.xlsx', 'r/1')).toBe('credit-report-a_b_-r_1.xlsx');
    expect(reportFileName('uploads/', 'r1')).toBe('credit-report-input-r1.xlsx');
  });
});
