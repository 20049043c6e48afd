/** The step's script, downloaded from S3 under its own file name so its extension still says what it is. */
import { createWriteStream } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../catalog/step-contract.js';
import { ScriptFetchError } from './runner-errors.js';

/** The key's last segment, or `script` when it has none a file can be named after. */
export function scriptFileName(key: string): string {
  const name = posix.basename(key);
  return name === '' || name === '.' || name === '..' ? 'script' : name;
}

/** Downloads the script into `dir` and returns its path; throws ScriptFetchError. */
export async function fetchScript(s3: S3Client, location: S3Location, dir: string, abortSignal?: AbortSignal): Promise<string> {
  const path = join(dir, scriptFileName(location.key));
  const url = `s3://${location.bucket}/${location.key}`;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal });
    if (!(object.Body instanceof Readable)) throw new Error('the object has no body');
    await pipeline(object.Body, createWriteStream(path), { signal: abortSignal });
  } catch (cause) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new ScriptFetchError(`cannot download the script ${url}: ${why}`, { cause });
  }
  return path;
}
