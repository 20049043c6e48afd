import type { S3Event, S3EventRecord } from 'aws-lambda';
import { errorWithCode } from '../errors/drover-error.js';

export interface UploadEvent {
  bucket: string;
  /** The decoded object key. */
  key: string;
  /** Version id when the bucket is versioned, else the ETag: what identifies this content. */
  version: string;
  etag: string;
  size: number;
}

/** S3 notifications URL-encode keys with `+` for a space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export function isCustomerUpload(key: string): boolean {
  return key.startsWith('incoming/') && /\.xlsx$/i.test(key) && !key.endsWith('/');
}

/**
 * The uploads an SQS message body announces. `s3:TestEvent` (sent when a notification is
 * configured), other event types and keys outside `incoming/*.xlsx` give nothing.
 */
export function parseUploadEvents(body: string): UploadEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new TriggerEventError(`the message body is not JSON: ${body.slice(0, 80)}`, { cause });
  }
  const event = parsed as Partial<S3Event> & { Event?: string };
  if (event.Event === 's3:TestEvent') return [];
  if (!Array.isArray(event.Records)) throw new TriggerEventError('the message is not an S3 event notification (no Records)');
  return event.Records.filter((r: S3EventRecord) => r.eventSource === 'aws:s3' && r.eventName?.startsWith('ObjectCreated:'))
    .map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      etag: r.s3.object.eTag ?? '',
      // An unversioned bucket may report the version as "null".
      version: (r.s3.object.versionId && r.s3.object.versionId !== 'null' ? r.s3.object.versionId : '') || r.s3.object.eTag || r.s3.object.sequencer,
      size: r.s3.object.size,
    }))
    .filter((u) => isCustomerUpload(u.key));
}

export class TriggerEventError extends errorWithCode('TriggerEventError', 'TRIGGER_BAD_EVENT') {}
