/** How a cell value is to be read, besides the value itself. */
export interface CellContext {
  /** The cell's number format: a date format turns a number (e.g. a formula's result) into a date. */
  numFmt?: string | undefined;
  /** The workbook counts serial dates from 1904. */
  date1904?: boolean;
}

/**
 * Any cell value exceljs produces, as the text a person sees: numbers without exponent or float
 * noise (a parcel id 12345678 stays "12345678"), rich text and hyperlinks as their text,
 * formulas as their cached result, dates as ISO `yyyy-mm-dd` (with ` hh:mm:ss` when there is a
 * time of day), booleans as TRUE/FALSE, errors as their code (#N/A).
 */
export function cellText(value: unknown, context: CellContext = {}): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    return isDateFormat(context.numFmt) ? dateText(serialToDate(value, context.date1904 ?? false)) : numberText(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if (typeof value !== 'object') return String(value);
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['richText'])) {
    return (object['richText'] as { text?: unknown }[]).map((run) => (typeof run.text === 'string' ? run.text : '')).join('');
  }
  if ('formula' in object || 'sharedFormula' in object) return cellText(object['result'], context);
  if ('hyperlink' in object || 'text' in object) return cellText(object['text'], context);
  if (typeof object['error'] === 'string') return object['error'];
  return '';
}

/** exceljs's streaming reader turns an errored formula result into NaN; there is no value to show. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  // Excel shows 15 significant digits; beyond that is binary noise (0.1 + 0.2).
  const rounded = Number(value.toPrecision(15));
  if (Number.isInteger(rounded) && Math.abs(rounded) < 1e21) return rounded.toFixed(0);
  return String(rounded);
}

/** exceljs's own rule: a format with date letters outside quotes and brackets shows a date. */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[ymdhMsb]/.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** exceljs builds dates in UTC, so UTC fields are the ones Excel showed. */
function dateText(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return '';
  const iso = new Date(Math.round(time / 1000) * 1000).toISOString();
  const day = iso.slice(0, 10);
  const clock = iso.slice(11, 19);
  return clock === '00:00:00' ? day : `${day} ${clock}`;
}
