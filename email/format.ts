const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const COUNT = new Intl.NumberFormat('en-US');

/** `$1,234.56` from integer cents. */
export function formatUsd(cents: number): string {
  return USD.format(cents / 100);
}

/** `1,234`. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** One line of text: header values must not carry line breaks. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A size as mail clients show it: decimal megabytes, one decimal. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
