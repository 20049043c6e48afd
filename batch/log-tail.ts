import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The last `maxLines` lines written to `file` since byte `from` (the start of one attempt),
 * reading at most `maxBytes` from the end so a chatty child cannot stall the executor.
 */
export function readLogTail(file: string, from: number, maxLines: number, maxBytes = 64 * 1024): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(from, size - maxBytes);
    const length = size - start;
    if (length <= 0) return [];
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, start);
    const lines = buffer.toString('utf8').split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-maxLines);
  } finally {
    closeSync(fd);
  }
}
