import { MoneyFormatError } from './errors.js';

export { MoneyFormatError } from './errors.js';

/** Dashes the portal writes for "nothing": hyphen-minus, en dash, em dash, minus sign. */
const NOTHING = new Set(['', '-', '\u2013', '\u2014', '\u2212']);

// Optional sign or opening parenthesis, optional $, digits (grouped by commas or not),
// optional one or two decimals, matching closing parenthesis.
const AMOUNT = /^(\()?(-)?\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(\))?$/;

/**
 * Reads a money amount as written on the portal into integer cents.
 *
 * `$1,234.56` -> 123456, `$0.00` -> 0, `($12.00)` -> -1200 (a credit), `—`, `-` or empty -> 0,
 * `$5` -> 500. The digits are joined as a string and converted once, so no float
 * arithmetic touches the amount.
 *
 * @throws {MoneyFormatError} when the text is not an amount, or too large to be exact.
 */
export function parseMoney(text: string): number {
  // Pages use non-breaking spaces and padding around cells; neither changes the amount.
  const compact = text.replace(/[\s\u00a0]+/g, '');
  if (NOTHING.has(compact)) return 0;

  const match = AMOUNT.exec(compact);
  if (!match) throw new MoneyFormatError(`not a money amount: ${JSON.stringify(text)}`, { text });
  const [, open, minus, dollars = '', decimals = '', close] = match;
  if (Boolean(open) !== Boolean(close) || (open && minus)) throw new MoneyFormatError(`not a money amount: ${JSON.stringify(text)}`, { text });

  const digits = dollars.replaceAll(',', '') + decimals.padEnd(2, '0');
  const cents = Number(digits);
  if (!Number.isSafeInteger(cents)) throw new MoneyFormatError(`not a money amount: ${JSON.stringify(text)}`, { text });
  if (cents === 0) return 0; // never -0
  return open || minus ? -cents : cents;
}
