import type ExcelJS from 'exceljs';
import type { CustomerRecord, RejectedRow } from '../sheet/types.js';
import { RATINGS, type CustomerResult, type Rating, type ReportTotals } from '../rating/types.js';
import { ColumnWidths } from './column-widths.js';
import { CURRENCY_FORMAT, UTC_DATE_FORMAT, dollars, text, utcDate } from './cells.js';
import { ReportWriterError } from './errors.js';
import { RejectedSpool } from './rejected-spool.js';
import { SharedStyles } from './shared-styles.js';
import { openStreamingWorkbook, type StreamingWorkbook } from './streaming-workbook.js';

export { reportFileName } from './file-name.js';
export { ReportWriterError } from './errors.js';

export interface ReportRow {
  record: CustomerRecord;
  result: CustomerResult;
}

export interface ReportSummary {
  runId: string;
  /** The input's name as the user knows it (S3 key or file name). */
  inputFile: string;
  startedAt: Date;
  finishedAt: Date;
  /** Seconds per stage, e.g. `{ ingest, fanOut, report }`, shown in insertion order. */
  stageSeconds: Record<string, number>;
  /** Rejected rows as counted by ingest; must equal the rows fed to `addRejected`. */
  rejectedCount: number;
}

export interface ReportWriterOptions {
  /** File to write; its folder must exist. */
  path: string;
  /** Header texts of the carried input columns, in input order; values come from `record.extra`. */
  extraColumns: string[];
  /**
   * Header texts of the input sheet, used as the Rejected sheet's headers for the raw values.
   * Default: `Value 1`, `Value 2`, ...
   */
  inputHeaders?: string[];
  /**
   * Accepted rows held back (in memory) to fit the column widths, since the streaming writer
   * writes the widths before the first row. Default 1000.
   */
  widthSampleRows?: number;
  /** Widest a fitted column may get, in characters. Default 60. */
  maxColumnWidth?: number;
  /** Folder for the temporary file holding rejected rows until they are written. Default `os.tmpdir()`. */
  tempDir?: string;
}

export interface ReportWriter {
  /** Appends accepted customers to `Credit worthiness`, in the order given. Await each call before the next. */
  addRows(rows: readonly ReportRow[]): Promise<void>;
  /** Queues rejected rows for the `Rejected` sheet; may be called before, between or after `addRows`. */
  addRejected(rows: readonly RejectedRow[]): Promise<void>;
  /** Writes `Summary` and `Rejected`, completes the file and returns the totals. */
  finish(summary: ReportSummary): Promise<ReportTotals>;
  /** Abandons the report: removes the partial file and temporary data. Never throws. */
  abort(): Promise<void>;
}

export const SHEET_NAMES = { customers: 'Credit worthiness', summary: 'Summary', rejected: 'Rejected' } as const;

/** The fixed columns of `Credit worthiness`; carried columns follow. */
export const REPORT_COLUMNS = [
  'Customer ID',
  'Name',
  'County',
  'State',
  'Parcel IDs',
  'Total Due',
  'Delinquent Years',
  'Rating',
  'Checked At',
  'Attempts',
  'Error',
] as const;

const TOTAL_DUE_COLUMN = REPORT_COLUMNS.indexOf('Total Due') + 1;
const CHECKED_AT_COLUMN = REPORT_COLUMNS.indexOf('Checked At') + 1;

const OPTION_KEYS = new Set(['path', 'extraColumns', 'inputHeaders', 'widthSampleRows', 'maxColumnWidth', 'tempDir']);

/** Rows between hand-offs to the zip and file streams, bounding what waits in memory. */
const YIELD_EVERY = 1000;

const FROZEN_HEADER: Partial<ExcelJS.WorksheetView>[] = [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }];

/**
 * Opens the credit report for writing with exceljs's streaming writer.
 *
 * `Credit worthiness` is written as rows arrive (after a sample used to fit the widths);
 * `Summary` and `Rejected` are added at `finish`, so the sheets are in that order and the zip
 * never holds one sheet in memory while another is being written. Rejected rows wait in a
 * temporary file meanwhile. Times are Excel dates in UTC, formatted `yyyy-mm-dd hh:mm:ss "UTC"`.
 */
export async function openReportWriter(options: ReportWriterOptions): Promise<ReportWriter> {
  const opts = validateOptions(options);
  const spool = await RejectedSpool.open(opts.tempDir);
  let book: StreamingWorkbook;
  try {
    book = await openStreamingWorkbook(opts.path);
  } catch (error) {
    await spool.remove();
    throw error;
  }

  const headers = [...REPORT_COLUMNS, ...opts.extraColumns];
  const sheet = book.workbook.addWorksheet(SHEET_NAMES.customers, { views: FROZEN_HEADER });
  const widths = new ColumnWidths(headers, opts.maxColumnWidth);
  let sample: unknown[][] | undefined = [];
  const styles = new SharedStyles();
  const addCustomer = (values: unknown[]) => {
    const row = sheet.addRow(values);
    styles.apply(row);
    row.commit();
  };

  const rejectedWidths = new ColumnWidths(['Input Row'], opts.maxColumnWidth);
  let rejectedReasonWidth = 'Reason'.length;
  let rejectedValues = 0;

  const totals: ReportTotals = {
    customers: 0,
    byRating: Object.fromEntries(RATINGS.map((r) => [r, 0])) as Record<Rating, number>,
    totalDueCents: 0,
    rejected: 0,
  };
  let state: 'open' | 'finishing' | 'done' = 'open';

  const assertOpen = (method: string): void => {
    if (state !== 'open') {
      throw new ReportWriterError(`${method} called after the report was finished or aborted`, 'REPORT_STATE');
    }
  };

  /** Sets the widths from the sample, then writes the header and the sample. */
  const flushSample = (): void => {
    if (!sample) return;
    widths.widths().forEach((width, i) => {
      const column = sheet.getColumn(i + 1);
      column.width = width;
      if (i + 1 === TOTAL_DUE_COLUMN) column.numFmt = CURRENCY_FORMAT;
      if (i + 1 === CHECKED_AT_COLUMN) column.numFmt = UTC_DATE_FORMAT;
    });
    writeHeader(sheet, headers);
    for (const values of sample) addCustomer(values);
    sample = undefined;
  };

  const writer: ReportWriter = {
    async addRows(rows) {
      assertOpen('addRows');
      try {
        for (const [i, row] of rows.entries()) {
          const values = customerValues(row, opts.extraColumns);
          totals.customers += 1;
          totals.byRating[row.result.rating] += 1;
          totals.totalDueCents += row.result.totalDueCents;
          if (sample) {
            widths.measure(values);
            sample.push(values);
            if (sample.length >= opts.widthSampleRows) flushSample();
          } else {
            addCustomer(values);
          }
          if ((i + 1) % YIELD_EVERY === 0) await book.yieldToWriter(sheet);
        }
        await book.yieldToWriter(sheet);
      } catch (error) {
        await fail();
        throw error;
      }
    },

    async addRejected(rows) {
      assertOpen('addRejected');
      for (const r of rows) {
        rejectedWidths.measure([r.row, ...r.raw]);
        rejectedReasonWidth = Math.max(rejectedReasonWidth, r.reason.length);
        rejectedValues = Math.max(rejectedValues, r.raw.length);
      }
      try {
        await spool.add(rows);
      } catch (error) {
        await fail();
        throw new ReportWriterError(`Cannot keep rejected rows: ${(error as Error).message}`, 'REPORT_OUTPUT', { cause: error });
      }
    },

    async finish(summary) {
      assertOpen('finish');
      state = 'finishing';
      try {
        validateSummary(summary, spool.count);
        totals.rejected = spool.count;

        flushSample();
        sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + totals.customers, column: headers.length } };
        sheet.commit();

        writeSummarySheet(book.workbook.addWorksheet(SHEET_NAMES.summary), summary, totals);

        const valueHeaders = Array.from({ length: rejectedValues }, (_, i) => opts.inputHeaders?.[i] || `Value ${i + 1}`);
        const rejectedHeaders = ['Input Row', ...valueHeaders, 'Reason'];
        rejectedWidths.measure(['Input Row', ...valueHeaders]);
        const rejected = book.workbook.addWorksheet(SHEET_NAMES.rejected, { views: FROZEN_HEADER });
        const fitted = rejectedWidths.widths();
        rejectedHeaders.forEach((_, i) => {
          rejected.getColumn(i + 1).width =
            i === rejectedHeaders.length - 1 ? Math.min(opts.maxColumnWidth, rejectedReasonWidth + 3) : (fitted[i] ?? 8);
        });
        writeHeader(rejected, rejectedHeaders);
        let n = 0;
        const rejectedStyles = new SharedStyles();
        for await (const r of spool.replay()) {
          const raw = Array.from({ length: rejectedValues }, (_, i) => text(r.raw[i]));
          const row = rejected.addRow([r.row, ...raw, text(r.reason)]);
          rejectedStyles.apply(row);
          row.commit();
          n += 1;
          if (n % YIELD_EVERY === 0) await book.yieldToWriter(rejected);
        }
        rejected.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + n, column: rejectedHeaders.length } };
        rejected.commit();

        await book.commit();
        await spool.remove();
        state = 'done';
        return totals;
      } catch (error) {
        await fail();
        throw error;
      }
    },

    async abort() {
      if (state === 'done') return;
      await fail();
    },
  };

  async function fail(): Promise<void> {
    state = 'done';
    await Promise.all([book.abort(), spool.remove()]);
  }

  return writer;
}

function customerValues({ record, result }: ReportRow, extraColumns: readonly string[]): unknown[] {
  return [
    text(record.customerId),
    text(record.name),
    text(record.county),
    text(record.state),
    text(result.parcelIds.join(', ')),
    dollars(result.totalDueCents),
    result.delinquentYears,
    result.rating,
    utcDate(result.checkedAt),
    result.attempts,
    text(result.error),
    ...extraColumns.map((name) => text(record.extra[name])),
  ];
}

function writeHeader(sheet: ExcelJS.Worksheet, headers: readonly string[]): void {
  const row = sheet.addRow([...headers]);
  row.font = { bold: true };
  row.commit();
}

function writeSummarySheet(sheet: ExcelJS.Worksheet, summary: ReportSummary, totals: ReportTotals): void {
  const stages = Object.entries(summary.stageSeconds);
  const rows: [string, unknown, string?][] = [
    ['Run ID', text(summary.runId)],
    ['Input file', text(summary.inputFile)],
    ['Started at', summary.startedAt, UTC_DATE_FORMAT],
    ['Finished at', summary.finishedAt, UTC_DATE_FORMAT],
    ['Customers', totals.customers],
    ...RATINGS.map((r): [string, number] => [`Rating ${r}`, totals.byRating[r]]),
    ['Rejected rows', totals.rejected],
    ['Total due', dollars(totals.totalDueCents), CURRENCY_FORMAT],
    ...stages.map(([stage, seconds]): [string, number] => [`Seconds in ${stage}`, seconds]),
  ];
  const widths = new ColumnWidths(['Item', 'Value'], 60);
  for (const [label, value] of rows) widths.measure([label, value]);
  widths.widths().forEach((width, i) => {
    sheet.getColumn(i + 1).width = width;
  });
  writeHeader(sheet, ['Item', 'Value']);
  for (const [label, value, numFmt] of rows) {
    const row = sheet.addRow([label, value]);
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
  }
  sheet.commit();
}

type ResolvedOptions = Required<Omit<ReportWriterOptions, 'inputHeaders' | 'tempDir'>> & Pick<ReportWriterOptions, 'inputHeaders' | 'tempDir'>;

function validateOptions(options: ReportWriterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ReportWriterError('Report writer options must be an object', 'REPORT_OPTIONS');
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_KEYS.has(k));
  if (unknown.length > 0) {
    throw new ReportWriterError(`Unknown report writer option(s): ${unknown.join(', ')}`, 'REPORT_OPTIONS');
  }
  const bad = (what: string): never => {
    throw new ReportWriterError(`Report writer option ${what}`, 'REPORT_OPTIONS');
  };
  if (typeof options.path !== 'string' || options.path === '') bad('path must be a non-empty string');
  if (!Array.isArray(options.extraColumns) || !options.extraColumns.every((c) => typeof c === 'string')) {
    bad('extraColumns must be an array of strings');
  }
  if (options.inputHeaders !== undefined && (!Array.isArray(options.inputHeaders) || !options.inputHeaders.every((c) => typeof c === 'string'))) {
    bad('inputHeaders must be an array of strings');
  }
  const widthSampleRows = options.widthSampleRows ?? 1000;
  if (!Number.isSafeInteger(widthSampleRows) || widthSampleRows < 1) bad('widthSampleRows must be a positive integer');
  const maxColumnWidth = options.maxColumnWidth ?? 60;
  if (!Number.isFinite(maxColumnWidth) || maxColumnWidth < 8 || maxColumnWidth > 255) bad('maxColumnWidth must be between 8 and 255');
  if (options.tempDir !== undefined && (typeof options.tempDir !== 'string' || options.tempDir === '')) bad('tempDir must be a non-empty string');
  return {
    path: options.path,
    extraColumns: options.extraColumns,
    inputHeaders: options.inputHeaders,
    widthSampleRows,
    maxColumnWidth,
    tempDir: options.tempDir,
  };
}

function validateSummary(summary: ReportSummary, rejectedFed: number): void {
  for (const key of ['startedAt', 'finishedAt'] as const) {
    if (!(summary[key] instanceof Date) || Number.isNaN(summary[key].getTime())) {
      throw new ReportWriterError(`Report summary ${key} must be a valid Date`, 'REPORT_OPTIONS');
    }
  }
  if (summary.rejectedCount !== rejectedFed) {
    throw new ReportWriterError(
      `Report summary counts ${summary.rejectedCount} rejected rows but ${rejectedFed} were written to the Rejected sheet`,
      'REPORT_REJECTED_MISMATCH',
    );
  }
}
