import { DroverError } from '../errors/drover-error.js';

export type ReportWriterErrorCode = 'REPORT_OPTIONS' | 'REPORT_OUTPUT' | 'REPORT_STATE' | 'REPORT_REJECTED_MISMATCH';

/** A report workbook could not be written, or the writer was used out of order. */
export class ReportWriterError extends DroverError<ReportWriterErrorCode> {
  override readonly name = 'ReportWriterError';
}
