import type { SampleCustomer } from '../portal/dataset.js';
import { openStreamingWorkbook } from '../report/streaming-workbook.js';
import { errorWithCode } from '../errors/drover-error.js';

/** One customer row: the demo portal's sample customers are written as they are. */
export type SampleRow = SampleCustomer;

export interface WriteCustomerWorkbookOptions {
  /**
   * Write the sheet as people do (per shared/specs/customer-sheet.md): a title, a date and a
   * blank row above the header, aliased headers, a carried `Region Notes` column, stray
   * spaces in some names and dash-less parcel ids as numbers. Default false.
   */
  messy?: boolean;
  /** The date on the messy sheet's date row. Default: now. */
  exportedAt?: Date;
  /**
   * End the sheet with the rows the cleanser must reject: a repeated customer id, a row
   * without an id, a row with neither a parcel id nor a county, and a blank row it skips
   * silently. Default false.
   */
  flawed?: boolean;
}

export const CLEAN_HEADERS = ['Customer ID', 'Name', 'Parcel ID', 'County', 'State', 'Email'] as const;
export const MESSY_HEADERS = ['Cust ID', 'Owner Name', 'APN', 'County', 'ST', 'E-mail', 'Region Notes'] as const;
export const MESSY_TITLE = 'Ranch customers - credit check list';

const WIDTHS = [14, 34, 14, 16, 7, 34, 24];
const REGION_NOTES = ['', 'North range', 'Gate code on file', '', 'Call before visiting', 'Shares a well with neighbour'];
const YIELD_EVERY = 1000;

/**
 * Writes a customers workbook with exceljs's streaming writer, so a million rows take no more
 * memory than a thousand. Returns the number of customer rows written.
 */
/** An option writeCustomerWorkbook does not know. */
export class SampleOptionsError extends errorWithCode('SampleOptionsError', 'SAMPLES_OPTIONS') {}

export async function writeCustomerWorkbook(
  path: string,
  rows: AsyncIterable<SampleRow> | Iterable<SampleRow>,
  opts: WriteCustomerWorkbookOptions = {},
): Promise<number> {
  const unknown = Object.keys(opts).filter((k) => k !== 'messy' && k !== 'exportedAt' && k !== 'flawed');
  if (unknown.length > 0) throw new SampleOptionsError(`writeCustomerWorkbook: unknown option(s) ${unknown.join(', ')}`);
  const messy = opts.messy ?? false;

  const book = await openStreamingWorkbook(path);
  try {
    // The messy sheet is not named Customers: readers must fall back to the first visible sheet.
    const sheet = book.workbook.addWorksheet(messy ? 'Export' : 'Customers', { views: [{ state: 'frozen', ySplit: messy ? 4 : 1 }] });
    const headers = messy ? MESSY_HEADERS : CLEAN_HEADERS;
    headers.forEach((_, i) => {
      sheet.getColumn(i + 1).width = WIDTHS[i] ?? 14;
    });
    if (messy) {
      const title = sheet.addRow([MESSY_TITLE]);
      title.font = { bold: true, size: 14 };
      title.commit();
      const date = sheet.addRow(['Exported', opts.exportedAt ?? new Date()]);
      date.getCell(2).numFmt = 'yyyy-mm-dd';
      date.commit();
      sheet.addRow([]).commit();
    }
    const header = sheet.addRow([...headers]);
    header.font = { bold: true };
    header.commit();

    const values = (row: SampleRow, index: number) => (messy ? messyValues(row, index) : [row.customerId, row.name, row.parcelId, row.county, row.state, row.email]);
    let n = 0;
    let first: SampleRow | undefined;
    for await (const row of rows) {
      first ??= row;
      sheet.addRow(values(row, n)).commit();
      n += 1;
      if (n % YIELD_EVERY === 0) await book.yieldToWriter(sheet);
    }
    if (opts.flawed && first) {
      for (const row of flawedRows(first)) sheet.addRow(Object.values(row).some(Boolean) ? values(row, n) : []).commit();
    }
    sheet.commit();
    await book.commit();
    return n;
  } catch (error) {
    await book.abort();
    throw error;
  }
}

/** Rows the spec's cleansing rejects, each for its own reason, and a blank one it skips. */
function flawedRows(first: SampleRow): SampleRow[] {
  return [
    { ...first, name: `${first.name} (again)` },
    { customerId: '', name: 'Sandhills Grazing LLC', parcelId: '31-415-926', county: 'CHERRY', state: 'NE', email: '' },
    { customerId: '', name: '', parcelId: '', county: '', state: '', email: '' },
    { customerId: 'C999999', name: 'Platte Valley Feeders', parcelId: '', county: '', state: 'NE', email: 'office@pvf.example' },
  ];
}

function messyValues(row: SampleRow, index: number): unknown[] {
  // Stray spaces, as pasted from elsewhere; the cleanser collapses them.
  const name = index % 7 === 3 ? ` ${row.name.replace(' ', '  ')} ` : row.name;
  return [row.customerId, name, parcelCell(row.parcelId), row.county, row.state, row.email, REGION_NOTES[index % REGION_NOTES.length]];
}

/**
 * A dash-less all-digit parcel id as Excel keeps it when typed: a number. Only ids the number
 * gives back exactly (no leading zero, at most 15 digits), so the sheet still means the same.
 */
function parcelCell(parcelId: string): string | number {
  return /^[1-9]\d{0,14}$/.test(parcelId) ? Number(parcelId) : parcelId;
}
