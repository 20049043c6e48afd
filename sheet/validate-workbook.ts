import { inspectWorkbook } from './inspect-workbook.js';
import { refuseTooManyRows } from './read-customer-sheet.js';
import { resolveSheetLimits, type SheetLimits } from './sheet-limits.js';

/** What the checks learnt about a usable workbook. */
export interface WorkbookSummary {
  /** File size. */
  bytes: number;
  /** `<row>` elements in the customer sheet, title and blank rows included. */
  rows: number;
  /** The sheet the customers are read from. */
  sheetName: string;
}

/**
 * The checks that fail a run before any lookup, cheapest first: file size, magic bytes (CSV,
 * OLE/encrypted, ...), the zip central directory (zip bombs, encryption, xl/workbook.xml), the
 * sheet choice, and the customer sheet's row count, found by scanning its inflated XML for row
 * tags without parsing or keeping it (and, when that count is past the limit, the header row
 * found by reading no further, to count the customer rows below it). Throws SheetError naming
 * the problem.
 *
 * @param limits Partial SheetLimits; missing ones take DEFAULT_SHEET_LIMITS, unknown keys are refused.
 */
export async function validateWorkbookFile(path: string, limits?: Partial<SheetLimits>): Promise<WorkbookSummary> {
  const resolved = resolveSheetLimits(limits);
  const plan = await inspectWorkbook(path, resolved);
  await refuseTooManyRows(path, plan, resolved);
  return { bytes: plan.bytes, rows: plan.rows, sheetName: plan.sheetName };
}
