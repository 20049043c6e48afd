import { DroverError } from '../errors/drover-error.js';

/** Stable codes for every way an uploaded customer sheet can be refused. */
export type SheetErrorCode =
  | 'SHEET_EMPTY_FILE'
  | 'SHEET_TOO_LARGE'
  | 'SHEET_NOT_XLSX'
  | 'SHEET_ENCRYPTED'
  | 'SHEET_NOT_WORKBOOK'
  | 'SHEET_ZIP_BOMB'
  | 'SHEET_NO_SHEETS'
  | 'SHEET_EMPTY'
  | 'SHEET_NO_HEADER'
  | 'SHEET_TOO_MANY_ROWS'
  | 'SHEET_UNREADABLE';

/**
 * The uploaded workbook cannot be used. The message is written for the person who uploaded
 * it (it ends up in the failure email), so it says what is wrong and, where it can, what to do.
 */
export class SheetError extends DroverError<SheetErrorCode> {
  override readonly name = 'SheetError';
}
