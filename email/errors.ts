import { DroverError } from '../errors/drover-error.js';

export type EmailErrorCode = 'EMAIL_OPTIONS' | 'EMAIL_SEND';

/** An email could not be composed or sent. */
export class EmailError extends DroverError<EmailErrorCode> {
  override readonly name = 'EmailError';
}
