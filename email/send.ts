import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { EmailError } from './errors.js';

export interface SendRawEmailOptions {
  /** The envelope sender; SES requires it to be a verified identity. */
  from: string;
  /** Envelope recipients; one or more addresses. */
  to: string | string[];
}

/**
 * Sends a raw MIME message (from compose.ts) through SES and returns the SES MessageId.
 * The envelope comes from `opts`, so Bcc-style delivery does not depend on the headers.
 */
export async function sendRawEmail(ses: SESClient, raw: Buffer, opts: SendRawEmailOptions): Promise<string> {
  const unknown = Object.keys(opts).filter((k) => k !== 'from' && k !== 'to');
  if (unknown.length > 0) throw new EmailError(`Unknown email option(s): ${unknown.join(', ')}`, 'EMAIL_OPTIONS');
  const destinations = Array.isArray(opts.to) ? opts.to : [opts.to];
  if (!opts.from || destinations.length === 0 || destinations.some((d) => !d)) {
    throw new EmailError('Sending an email needs a sender and at least one recipient', 'EMAIL_OPTIONS');
  }
  let messageId: string | undefined;
  try {
    const out = await ses.send(new SendRawEmailCommand({ Source: opts.from, Destinations: destinations, RawMessage: { Data: raw } }));
    messageId = out.MessageId;
  } catch (error) {
    throw new EmailError(`SES refused the email to ${destinations.join(', ')}: ${(error as Error).message}`, 'EMAIL_SEND', { cause: error });
  }
  if (!messageId) throw new EmailError('SES accepted the email but returned no MessageId', 'EMAIL_SEND');
  return messageId;
}
