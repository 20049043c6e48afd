import type ExcelJS from 'exceljs';
import { cellText } from './cell-text.js';
import { characterCount, cleanseRow } from './cleanse-row.js';
import { streamSheetRows } from './exceljs-rows.js';
import { collapseSpace, CUSTOMER_COLUMNS, matchHeader, type HeaderLayout } from './header.js';
import { emptySheet, inspectWorkbook, tooManyRows, type WorkbookPlan } from './inspect-workbook.js';
import { SheetError } from './sheet-error.js';
import { SeenIds } from './seen-ids.js';
import { HEADER_SEARCH_ROWS, resolveSheetLimits, type SheetLimits } from './sheet-limits.js';
import type { CustomerRecord, RejectedRow } from './types.js';

/** What reading the customer sheet produces, in order: one header, then records and rejections in row order. */
export type SheetItem =
  | {
      kind: 'header';
      sheetName: string;
      /** 1-based worksheet row number of the header. */
      headerRow: number;
      /** All header texts in column order (index 0 is column A), trimmed, white space collapsed. */
      columns: string[];
      /** The carried columns, as they key `record.extra`; a repeated header text gets " (2)". */
      extraColumns: string[];
    }
  | { kind: 'record'; record: CustomerRecord }
  | { kind: 'rejected'; rejected: RejectedRow };

export { HEADER_SEARCH_ROWS };

/**
 * Validates the workbook at `path` (see validateWorkbookFile), then streams its customer sheet
 * as a header item followed by one item per non-empty data row. Rows are never kept, so memory
 * stays bounded whatever the sheet's length; only the customer ids seen are, to spot duplicates.
 *
 * Throws SheetError before yielding anything when the file is unusable (including a sheet with
 * no header row). SHEET_TOO_MANY_ROWS is also checked while streaming, and SHEET_UNREADABLE or
 * SHEET_ZIP_BOMB can still surface mid-stream when the sheet's XML turns out to be broken or
 * bigger than declared.
 *
 * @param limits Partial SheetLimits; missing ones take DEFAULT_SHEET_LIMITS, unknown keys are refused.
 */
export async function* readCustomerSheet(path: string, limits?: Partial<SheetLimits>): AsyncGenerator<SheetItem> {
  const resolved = resolveSheetLimits(limits);
  yield* readPlannedSheet(path, await inspectWorkbook(path, resolved), resolved);
}

/**
 * Refuses a sheet with more than `limits.maxRows` rows below its header (SHEET_TOO_MANY_ROWS,
 * naming how many), reading no further than the header. The plan counted every row, those
 * above the header and the header too, so only a count past the limit needs the header found.
 */
export async function refuseTooManyRows(path: string, plan: WorkbookPlan, limits: SheetLimits): Promise<void> {
  if (plan.rows <= limits.maxRows) return;
  // The first item is the header, once the rows below it are known to be few enough.
  for await (const item of readPlannedSheet(path, plan, limits)) {
    if (item.kind === 'header') return;
  }
}

async function* readPlannedSheet(path: string, plan: WorkbookPlan, resolved: SheetLimits): AsyncGenerator<SheetItem> {
  let layout: HeaderLayout | undefined;
  let firstContent: { row: number; texts: string[] } | undefined;
  let rowsSeen = 0;
  let rowsBelowHeader = 0;
  let seq = 0;
  const seenIds = new SeenIds();

  for await (const row of streamSheetRows(path, plan)) {
    rowsSeen++;
    if (layout !== undefined && ++rowsBelowHeader > resolved.maxRows) throw tooManyRows(plan.sheetName, resolved.maxRows);
    const rowNumber = Number.isInteger(row.number) && row.number > 0 ? row.number : rowsSeen;
    const texts = rowTexts(row, plan.date1904);
    if (texts.every((text) => collapseSpace(text) === '')) continue;

    if (layout === undefined) {
      firstContent ??= { row: rowNumber, texts };
      if (rowNumber > HEADER_SEARCH_ROWS) break;
      layout = matchHeader(texts);
      if (layout === undefined) continue;
      // The rows counted before streaming, less those down to the header: refused before any item.
      if (plan.rows - rowsSeen > resolved.maxRows) throw tooManyRows(plan.sheetName, resolved.maxRows, plan.rows - rowsSeen);
      yield {
        kind: 'header',
        sheetName: plan.sheetName,
        headerRow: rowNumber,
        columns: layout.columns,
        extraColumns: layout.extras.map((extra) => extra.name),
      };
      continue;
    }

    const header = layout;
    const reject = (reason: string): SheetItem => ({
      kind: 'rejected',
      rejected: { row: rowNumber, raw: rawTexts(texts, header, resolved.maxCellChars), reason },
    });
    const result = cleanseRow(texts, header, resolved.maxCellChars);
    if (!result.accepted) {
      yield reject(result.reason);
      continue;
    }
    const first = seenIds.firstRowOrAdd(result.fields.customerId, rowNumber);
    if (first !== undefined) {
      yield reject(`duplicate Customer ID "${result.fields.customerId}": first seen on row ${first}`);
      continue;
    }
    yield { kind: 'record', record: { seq: seq++, row: rowNumber, ...result.fields } };
  }

  if (layout === undefined) {
    if (firstContent === undefined) throw emptySheet(plan.sheetName);
    throw noHeader(plan.sheetName, firstContent);
  }
}

/** Cell texts by column: index 0 is column A; columns without a value are ''. */
function rowTexts(row: ExcelJS.Row, date1904: boolean): string[] {
  const texts: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    texts[column - 1] = cellText(cell.value, { numFmt: cell.numFmt, date1904 });
  });
  return Array.from(texts, (text) => text ?? '');
}

/** The row as written, header-wide (wider when it has cells past the header), each cell cut to the cell limit. */
function rawTexts(texts: string[], layout: HeaderLayout, maxCellChars: number): string[] {
  const width = Math.max(layout.columns.length, texts.length);
  return Array.from({ length: width }, (_, index) => {
    const text = texts[index] ?? '';
    return characterCount(text) > maxCellChars ? `${[...text].slice(0, maxCellChars).join('')}…` : text;
  });
}

function noHeader(sheetName: string, firstContent: { row: number; texts: string[] }): SheetError {
  const shown = firstContent.texts
    .map(collapseSpace)
    .filter((text) => text !== '')
    .slice(0, 6)
    .map((text) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`)
    .join(', ');
  const { customerId, name } = CUSTOMER_COLUMNS;
  return new SheetError(
    `The sheet "${sheetName}" has no header row in its first ${HEADER_SEARCH_ROWS} rows. A header row names at least ` +
      `the ${customerId.label} column (or ${customerId.aliases.map((alias) => `"${alias}"`).join(', ')}) and the ` +
      `${name.label} column (or ${name.aliases.map((alias) => `"${alias}"`).join(', ')}). ` +
      `Row ${firstContent.row} reads: ${shown}.`,
    'SHEET_NO_HEADER',
  );
}
