import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { runIdFor } from '../trigger/run-id.js';
import { DroverError } from '../errors/drover-error.js';

/** The workbook could not be uploaded: no such file, not a workbook, or S3 refused it. */
export class UploadError extends DroverError<'UPLOAD_NO_FILE' | 'UPLOAD_NOT_XLSX' | 'UPLOAD_FAILED'> {
  override readonly name = 'UploadError';
}

/**
 * Uploads a workbook under `incoming/` as an organizer would, and names the run the
 * trigger will start for it (the same derivation the trigger uses).
 */
export async function uploadWorkbook(s3: S3Client, bucket: string, file: string, opts: { key?: string; notify?: string }): Promise<{ key: string; runId: string }> {
  const info = await stat(file).catch((cause: unknown) => {
    throw new UploadError(`${file}: no such file`, 'UPLOAD_NO_FILE', { cause });
  });
  if (!info.isFile()) throw new UploadError(`${file} is not a file`, 'UPLOAD_NO_FILE');
  const key = opts.key ?? `incoming/${basename(file)}`;
  if (!key.startsWith('incoming/') || !/\.xlsx$/i.test(key)) {
    throw new UploadError(`${key}: only incoming/*.xlsx starts a run`, 'UPLOAD_NOT_XLSX');
  }
  const out = await new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file),
      ContentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      Metadata: opts.notify ? { notify: opts.notify } : undefined,
    },
  }).done();
  const version = (out.VersionId && out.VersionId !== 'null' ? out.VersionId : undefined) ?? out.ETag ?? '';
  return { key, runId: runIdFor(bucket, key, version) };
}
