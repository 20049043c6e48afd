import type ExcelJS from 'exceljs';

/**
 * One style object per column and value type, shared by every cell that has it (and one for
 * the rows themselves).
 *
 * exceljs gives each new cell a style object of its own (merged from its row's and column's)
 * and, on commit, renders that object's XML to find its style index: at 100,000 rows that was
 * about a quarter of the report's time. A style object it has seen before is found by
 * identity instead (StylesXform's WeakMap). The index also depends on the value type (a
 * number or date without a format gets a default one), hence the type in the key.
 *
 * Only for rows whose row and column styles are set before the first row is applied and not
 * changed after: the first cell of each kind decides the style of all that follow.
 */
export class SharedStyles {
  private readonly byKey = new Map<string, Partial<ExcelJS.Style>>();

  apply(row: ExcelJS.Row): void {
    // The row's own style is looked up the same way when the row is written (exceljs's types omit it).
    const styled = row as ExcelJS.Row & { style: Partial<ExcelJS.Style> };
    styled.style = this.shared('row', styled.style);
    row.eachCell((cell, column) => {
      cell.style = this.shared(`${column}:${cell.type}`, cell.style);
    });
  }

  /** The style kept for `key`: a copy of the first one given for it. */
  private shared(key: string, style: Partial<ExcelJS.Style>): Partial<ExcelJS.Style> {
    let kept = this.byKey.get(key);
    if (kept === undefined) {
      kept = { ...style };
      this.byKey.set(key, kept);
    }
    return kept;
  }
}
