import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config/load-config.js';
import { emailsOfRun } from './mailbox.js';

export interface SavedOutputs {
  report?: string;
  emails: string[];
}

/** The run's report, found under reports/ by the run id in its name. */
async function findReportKey(s3: S3Client, bucket: string, runId: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/', ContinuationToken: token }));
    const hit = page.Contents?.find((o) => o.Key?.endsWith(`-${runId}.xlsx`));
    if (hit) return hit.Key;
    token = page.NextContinuationToken;
  } while (token);
  return undefined;
}

/** Saves the report (if the run made one) and, on the emulator, every email the run sent. */
export async function saveOutputs(s3: S3Client, config: Pick<Config, 'aws'>, runId: string, dir: string): Promise<SavedOutputs> {
  await mkdir(dir, { recursive: true });
  const saved: SavedOutputs = { emails: [] };
  const key = await findReportKey(s3, config.aws.bucket, runId);
  if (key) {
    const out = await s3.send(new GetObjectCommand({ Bucket: config.aws.bucket, Key: key }));
    saved.report = join(dir, key.slice(key.lastIndexOf('/') + 1));
    await pipeline(out.Body as Readable, createWriteStream(saved.report));
  }
  if (config.aws.endpoint) {
    const emails = await emailsOfRun(config.aws.endpoint, runId);
    for (const [i, email] of emails.entries()) {
      const path = join(dir, `${runId}-email-${i + 1}.eml`);
      await writeFile(path, email.raw);
      saved.emails.push(path);
    }
  }
  return saved;
}
