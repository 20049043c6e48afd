/** One accepted customer row, cleansed per shared/specs/customer-sheet.md. */
export interface CustomerRecord {
  /** 0-based position among accepted rows: the report's order. */
  seq: number;
  /** 1-based worksheet row number, for messages. */
  row: number;
  customerId: string;
  /** Trimmed, white space collapsed, case as typed (shown in the report). */
  name: string;
  /** The name upper-cased, as the portal's owner search wants it. */
  searchName: string;
  /** Digits and dashes only; '' when the sheet has none. */
  parcelId: string;
  county: string;
  state: string;
  email: string;
  /** Columns the spec does not name, carried to the report unchanged, keyed by their header text. */
  extra: Record<string, string>;
}

export interface RejectedRow {
  /** 1-based worksheet row number. */
  row: number;
  /** The row's cell values as text, in header order. */
  raw: string[];
  reason: string;
}
