export type EmailErrorCode = 'ERR_EMAIL_OPTIONS' | 'ERR_EMAIL_SEND';

/** An email could not be composed or sent. */
export class EmailError extends Error {
  override readonly name = 'EmailError';
  readonly code: EmailErrorCode;

  constructor(message: string, code: EmailErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
