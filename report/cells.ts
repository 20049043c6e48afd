/** Cell formats and value conversions shared by the report's sheets. */

/** Dollars with cents, negatives red; Excel shows the NUMBER, so sums and filters work. */
export const CURRENCY_FORMAT = '"$"#,##0.00;[Red]-"$"#,##0.00';

/** Times are Excel dates holding UTC wall-clock time; the suffix says so since Excel has no zones. */
export const UTC_DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"';

/** Excel refuses longer cell text. */
const MAX_CELL_TEXT = 32767;

/**
 * Text as a string cell, never a formula: exceljs writes a JS string as an inline string
 * whatever it starts with (`=`, `+`, `-`, `@`); only `{ formula }` objects become formulas.
 */
export function text(value: string | undefined | null): string {
  const s = value ?? '';
  return s.length > MAX_CELL_TEXT ? s.slice(0, MAX_CELL_TEXT) : s;
}

/** Cents to dollars, at write time only, so every sum before it is exact integer arithmetic. */
export function dollars(cents: number): number {
  return cents / 100;
}

/** An ISO 8601 time as a Date cell, or the text as typed when it does not parse. */
export function utcDate(iso: string): Date | string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? text(iso) : new Date(time);
}
