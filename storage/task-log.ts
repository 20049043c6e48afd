/**
 * A task's output, wherever its Batch job wrote it: a file of the local executor (its
 * `logStreamName` is the file's absolute path) or a CloudWatch Logs stream on AWS.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

export interface TaskLogSource {
  logs: CloudWatchLogsClient;
  /** The CloudWatch Logs group of Batch's job streams (BATCH_LOG_GROUP). */
  logGroup: string;
}

/** Where to carry on reading: a byte offset in a file, or CloudWatch's forward token. */
export type LogCursor = { kind: 'file'; offset: number } | { kind: 'stream'; token?: string };

export interface LogChunk {
  lines: string[];
  cursor: LogCursor;
}

export function isLocalLog(ref: string): boolean {
  return isAbsolute(ref);
}

export function startCursor(ref: string): LogCursor {
  return isLocalLog(ref) ? { kind: 'file', offset: 0 } : { kind: 'stream' };
}

/** At most this much of a local file per read, so a chatty task cannot stall the reader. */
const MAX_READ_BYTES = 4 * 1024 * 1024;

function readFileFrom(path: string, offset: number): LogChunk {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // The executor makes the file when the task starts.
    return { lines: [], cursor: { kind: 'file', offset } };
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size - offset, MAX_READ_BYTES);
    if (length <= 0) return { lines: [], cursor: { kind: 'file', offset } };
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    // Only whole lines: the rest is read next time, once the task has finished writing it.
    const end = buffer.lastIndexOf(0x0a) + 1;
    if (end === 0) return { lines: [], cursor: { kind: 'file', offset } };
    const lines = buffer.subarray(0, end).toString('utf8').split('\n');
    lines.pop();
    return { lines, cursor: { kind: 'file', offset: offset + end } };
  } finally {
    closeSync(fd);
  }
}

/**
 * What a local log holds after `offset` when the task ended without a newline after its last
 * line, which the whole-line reads above leave; empty when there is nothing past it.
 */
export function restOfFile(path: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const length = Math.min(fstatSync(fd).size - offset, MAX_READ_BYTES);
    if (length <= 0) return '';
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The lines written after `cursor`, and where the next read begins. */
export async function readLogFrom(source: TaskLogSource, ref: string, cursor: LogCursor): Promise<LogChunk> {
  if (cursor.kind === 'file') return readFileFrom(ref, cursor.offset);
  const lines: string[] = [];
  let token = cursor.token;
  for (;;) {
    const out = await source.logs.send(
      new GetLogEventsCommand({ logGroupName: source.logGroup, logStreamName: ref, startFromHead: true, ...(token ? { nextToken: token } : {}) }),
    );
    for (const event of out.events ?? []) lines.push(...(event.message ?? '').replace(/\n$/, '').split('\n'));
    // CloudWatch hands back the same token once the stream has no more events.
    if (!out.nextForwardToken || out.nextForwardToken === token) return { lines, cursor: { kind: 'stream', token } };
    token = out.nextForwardToken;
  }
}

/** The last `count` lines of a task's output (a failure notice quotes them). */
export async function readLogTail(source: TaskLogSource, ref: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  let cursor = startCursor(ref);
  for (;;) {
    const chunk = await readLogFrom(source, ref, cursor);
    lines.push(...chunk.lines);
    if (lines.length > count) lines.splice(0, lines.length - count);
    const moved = JSON.stringify(chunk.cursor) !== JSON.stringify(cursor);
    cursor = chunk.cursor;
    if (!moved || chunk.lines.length === 0) return lines;
  }
}
