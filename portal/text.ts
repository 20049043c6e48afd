/** Text helpers shared by the dataset and the pages. */

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Trimmed, single-spaced, upper-case: the one form of owner names and counties on the portal's
 * pages and in its data, and the only one its search matches.
 */
export function normalizeName(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

/** 'DOUBLE R CATTLE CO' -> 'Double R Cattle Co', "O'CONNOR" -> "O'Connor". */
export function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s&'(/-])([a-z])/g, (_match, before: string, letter: string) => before + letter.toUpperCase());
}

/**
 * Cents as a tax site writes them: `$1,234.56`, `$0.00`, `($12.00)` for a credit.
 * Integer arithmetic only.
 */
export function formatMoney(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`formatMoney: cents must be a safe integer, got ${String(cents)}`);
  const abs = Math.abs(cents);
  const dollars = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `$${dollars}.${String(abs % 100).padStart(2, '0')}`;
  return cents < 0 ? `(${text})` : text;
}
