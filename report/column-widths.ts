/**
 * Fits column widths from the texts seen.
 *
 * The streaming writer emits `<cols>` before the first row, so widths must be known before the
 * first commit: the report fits them from the header and a sample of the first rows.
 */
export class ColumnWidths {
  readonly #widths: number[];
  readonly #max: number;

  /**
   * @param headers Header texts; a column is never narrower than its header.
   * @param max Widest a column may get, in characters.
   */
  constructor(headers: readonly string[], max: number) {
    this.#max = max;
    this.#widths = headers.map((h) => h.length);
  }

  /** Widens the columns to fit a row's values. */
  measure(values: readonly unknown[]): void {
    values.forEach((value, i) => {
      const length = displayLength(value);
      if (length > (this.#widths[i] ?? 0)) {
        this.#widths[i] = length;
      }
    });
  }

  /** Widths in Excel character units: the longest text plus padding for the filter button, capped. */
  widths(): number[] {
    return Array.from(this.#widths, (w) => Math.min(this.#max, Math.max(8, (w ?? 0) + 3)));
  }
}

// One formatter for every cell: toLocaleString with options builds a new one each call, 25 times slower.
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Dates show as `yyyy-mm-dd hh:mm:ss UTC`; numbers with thousands separators and cents. */
function displayLength(value: unknown): number {
  if (value instanceof Date) return 23;
  if (typeof value === 'number') return NUMBER.format(value).length + 3;
  if (typeof value === 'string') {
    // The longest line, since a wrapped cell is as wide as that.
    return value.split('\n').reduce((m, line) => Math.max(m, line.length), 0);
  }
  return 0;
}
