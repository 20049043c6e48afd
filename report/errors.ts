export type ReportWriterErrorCode =
  | 'ERR_REPORT_OPTIONS'
  | 'ERR_REPORT_OUTPUT'
  | 'ERR_REPORT_STATE'
  | 'ERR_REPORT_REJECTED_MISMATCH';

/** A report workbook could not be written, or the writer was used out of order. */
export class ReportWriterError extends Error {
  override readonly name = 'ReportWriterError';
  readonly code: ReportWriterErrorCode;

  constructor(message: string, code: ReportWriterErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
