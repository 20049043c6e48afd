export { readCustomerSheet, HEADER_SEARCH_ROWS, type SheetItem } from './read-customer-sheet.js';
export { validateWorkbookFile, type WorkbookSummary } from './validate-workbook.js';
export { SheetError, type SheetErrorCode } from './sheet-error.js';
export { DEFAULT_SHEET_LIMITS, resolveSheetLimits, type SheetLimits } from './sheet-limits.js';
export { CUSTOMER_COLUMNS, type CustomerField } from './header.js';
export type { CustomerRecord, RejectedRow } from './types.js';
