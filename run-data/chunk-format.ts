import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CustomerRecord } from '../sheet/types.js';

/**
 * A chunk is JSON Lines (one record a line) plus a small index of each child's byte range,
 * so an array child fetches its own slice with one ranged GET instead of the whole chunk.
 */
export interface ChunkIndex {
  index: number;
  firstSeq: number;
  count: number;
  recordsPerChild: number;
  /** [start, end) byte offsets of child i's lines. */
  slices: [number, number][];
}

export function encodeChunk(index: number, records: CustomerRecord[], recordsPerChild: number): { body: Buffer; index: ChunkIndex } {
  const lines = records.map((r) => Buffer.from(JSON.stringify(r) + '\n'));
  const slices: [number, number][] = [];
  let offset = 0;
  for (let i = 0; i < lines.length; i += recordsPerChild) {
    const start = offset;
    for (const line of lines.slice(i, i + recordsPerChild)) offset += line.length;
    slices.push([start, offset]);
  }
  return {
    body: Buffer.concat(lines),
    index: { index, firstSeq: records[0]?.seq ?? 0, count: records.length, recordsPerChild, slices },
  };
}

export function childCount(count: number, recordsPerChild: number): number {
  return Math.ceil(count / recordsPerChild);
}

async function getText(s3: S3Client, bucket: string, key: string, range?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return out.Body!.transformToString('utf8');
}

export async function readChunkIndex(s3: S3Client, bucket: string, indexKey: string): Promise<ChunkIndex> {
  return JSON.parse(await getText(s3, bucket, indexKey)) as ChunkIndex;
}

/** The records of one child, or undefined when the chunk has no such child. */
export async function readSlice(s3: S3Client, bucket: string, key: string, index: ChunkIndex, child: number): Promise<CustomerRecord[] | undefined> {
  const slice = index.slices[child];
  if (!slice) return undefined;
  const text = await getText(s3, bucket, key, `bytes=${slice[0]}-${slice[1] - 1}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CustomerRecord);
}
