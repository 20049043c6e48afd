/**
 * `drover job put --script STEP=PATH`: a step's script, uploaded to the input bucket under a
 * key named by its content, `templates/<job id>/<sha256, 16 hex>/<file name>`. The same
 * bytes give the same key, so putting a job again uploads nothing and its document (hence
 * its version) is unchanged; a changed script is a new key and a new version, and the old
 * versions keep theirs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CliInputError } from './bad-input.js';

export interface StepScript {
  step: string;
  path: string;
  key: string;
  url: string;
  body: Buffer;
}

/** The key of a script's bytes. */
export function scriptKey(jobId: string, body: Buffer, fileName: string): string {
  return `templates/${jobId}/${createHash('sha256').update(body).digest('hex').slice(0, 16)}/${fileName}`;
}

/** Reads each `STEP=PATH` and where its bytes go; nothing is uploaded yet. */
export function readStepScripts(specs: readonly string[], jobId: string, bucket: string): StepScript[] {
  return specs.map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new CliInputError(`--script ${JSON.stringify(spec)}: expected STEP=PATH`);
    const step = spec.slice(0, at);
    const path = spec.slice(at + 1);
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch (cause) {
      throw new CliInputError(`--script ${step}=${path}: cannot be read (${(cause as Error).message})`, { cause });
    }
    const key = scriptKey(jobId, body, basename(path));
    return { step, path, key, url: `s3://${bucket}/${key}`, body };
  });
}

/** The document with each script's step running its URL in place of any `command`; an unknown step is refused by name. */
export function withScripts(document: Record<string, unknown>, scripts: readonly StepScript[], file: string): Record<string, unknown> {
  if (scripts.length === 0) return document;
  const steps = Array.isArray(document['steps']) ? (document['steps'] as unknown[]) : [];
  const nameOf = (s: unknown) => (typeof s === 'object' && s !== null ? (s as Record<string, unknown>)['name'] : undefined);
  const names = steps.map(nameOf).filter((n): n is string => typeof n === 'string');
  const updated = [...steps];
  for (const script of scripts) {
    const at = steps.findIndex((s) => nameOf(s) === script.step);
    if (at < 0) throw new CliInputError(`--script ${script.step}: ${file} has no step ${script.step}${names.length ? ` (its steps: ${names.join(', ')})` : ''}`);
    const step: Record<string, unknown> = { ...(updated[at] as Record<string, unknown>), script: script.url };
    delete step['command'];
    updated[at] = step;
  }
  return { ...document, steps: updated };
}

/** Uploads each script unless the bucket already holds its key (a key names its content). */
export async function uploadScripts(s3: S3Client, bucket: string, scripts: readonly StepScript[]): Promise<void> {
  for (const script of scripts) {
    if (await exists(s3, bucket, script.key)) continue;
    await new Upload({ client: s3, params: { Bucket: bucket, Key: script.key, Body: script.body } }).done();
  }
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}
