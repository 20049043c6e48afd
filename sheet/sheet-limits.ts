import { errorWithCode } from '../errors/drover-error.js';

/** Bounds on what an uploaded workbook may cost to read. Each one is refused with a message naming it. */
export interface SheetLimits {
  /** Largest accepted file, in bytes. Default 100 MiB. */
  maxBytes: number;
  /** Most customer rows: rows below the header row, blank ones included. Default 1,000,000. */
  maxRows: number;
  /** Longest accepted cell text, in characters; a row with a longer cell is rejected. Default 1,000. */
  maxCellChars: number;
  /** Largest total uncompressed size the zip directory may declare, in bytes. Default 2 GiB. */
  maxUncompressedBytes: number;
  /**
   * Highest uncompressed/compressed ratio of any zip entry over 1 MiB. Spreadsheet XML
   * compresses about 10-50x; a zip bomb approaches deflate's ceiling of ~1,000x. Default 200.
   */
  maxCompressionRatio: number;
}

/** The header must be within this many rows of the top (spec). */
export const HEADER_SEARCH_ROWS = 10;

export const DEFAULT_SHEET_LIMITS: Readonly<SheetLimits> = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxRows: 1_000_000,
  maxCellChars: 1000,
  maxUncompressedBytes: 2 * 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
});

/** A sheet limit that is unknown or not a positive number: a caller's mistake, not the upload's. */
export class SheetLimitsError extends errorWithCode('SheetLimitsError', 'SHEET_LIMITS') {}

/** Fills in defaults; refuses unknown keys and values that are not positive numbers (integers where counted). */
export function resolveSheetLimits(limits: Partial<SheetLimits> = {}): SheetLimits {
  const resolved: SheetLimits = { ...DEFAULT_SHEET_LIMITS };
  for (const [key, value] of Object.entries(limits)) {
    if (!(key in DEFAULT_SHEET_LIMITS)) {
      throw new SheetLimitsError(`Unknown sheet limit "${key}"; known: ${Object.keys(DEFAULT_SHEET_LIMITS).join(', ')}`);
    }
    if (value === undefined) continue;
    const integer = key !== 'maxCompressionRatio';
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new SheetLimitsError(`Sheet limit ${key} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
    }
    resolved[key as keyof SheetLimits] = value;
  }
  return resolved;
}

/** "100 MiB", "1.5 GiB", "512 bytes": sizes as a person reads them in a message. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : String(Number(value.toFixed(1)));
  return `${text} ${units[unit]}`;
}
