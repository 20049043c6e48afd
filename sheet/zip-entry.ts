import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { readAt, ZipFormatError, type ZipEntry } from './zip-directory.js';

/** A zip entry with the offset of its (compressed) data, found from its local file header. */
export interface LocatedEntry extends ZipEntry {
  dataStart: number;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;
const STORED = 0;
const DEFLATED = 8;

/** Reads the entry's local header: its name and extra field lengths may differ from the central directory's. */
export async function locateEntry(file: FileHandle, fileSize: number, entry: ZipEntry): Promise<LocatedEntry> {
  const header = await readAt(file, entry.localHeaderOffset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new ZipFormatError(`no local header for ${entry.name}`);
  }
  const dataStart = entry.localHeaderOffset + LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (dataStart + entry.compressedSize > fileSize) throw new ZipFormatError(`${entry.name} runs past the end of the file`);
  return { ...entry, dataStart };
}

export function isSupportedMethod(entry: ZipEntry): boolean {
  return entry.method === STORED || entry.method === DEFLATED;
}

/** The entry inflated in memory: for the small parts (workbook.xml, its relationships). */
export async function readEntryText(file: FileHandle, entry: LocatedEntry): Promise<string> {
  const data = await readAt(file, entry.dataStart, entry.compressedSize);
  if (entry.method === STORED) return data.toString('utf8');
  // One byte over the declared size is enough to know the directory lied.
  return inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 }).toString('utf8');
}

/** The entry's uncompressed bytes as a stream of chunks, read from the file as they are consumed. */
export function entryChunks(path: string, entry: LocatedEntry): Readable {
  const raw = rawData(path, entry);
  if (entry.method === STORED) return raw;
  return pipeline(raw, createInflateRaw(), () => {
    // Errors reach the consumer through the returned stream.
  });
}

function rawData(path: string, entry: LocatedEntry): Readable {
  if (entry.compressedSize === 0) return Readable.from([]);
  return createReadStream(path, { start: entry.dataStart, end: entry.dataStart + entry.compressedSize - 1 });
}

/** A part of the package to re-emit: either copied from the file or made up. */
export type RepackPart = { name: string; entry: LocatedEntry } | { name: string; content: string };

/**
 * A fresh zip stream holding only `parts`, in the given order, under the given names. Each local
 * header is rebuilt from the central directory, so a streaming unzip reads exactly the sizes
 * checked beforehand and needs no data descriptors. No central directory is written: a
 * streaming reader does not need one, only the end record.
 */
export function repackEntries(path: string, parts: RepackPart[]): Readable {
  return Readable.from(repackChunks(path, parts), { objectMode: false });
}

async function* repackChunks(path: string, parts: RepackPart[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if ('content' in part) {
      const data = Buffer.from(part.content, 'utf8');
      yield localHeader(part.name, { method: STORED, crc32: crc32(data), compressedSize: data.length, uncompressedSize: data.length });
      yield data;
    } else {
      yield localHeader(part.name, part.entry);
      yield* rawData(path, part.entry);
    }
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  yield end;
}

function localHeader(name: string, entry: Pick<ZipEntry, 'method' | 'crc32' | 'compressedSize' | 'uncompressedSize'>): Buffer {
  if (entry.compressedSize > 0xfffffffe || entry.uncompressedSize > 0xfffffffe) {
    throw new ZipFormatError(`${name} is too large to re-package`);
  }
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(LOCAL_HEADER_SIZE + nameBytes.length);
  header.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x800, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(0x21, 12); // 1980-01-01: the timestamp is not used
  header.writeUInt32LE(entry.crc32 >>> 0, 14);
  header.writeUInt32LE(entry.compressedSize, 18);
  header.writeUInt32LE(entry.uncompressedSize, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(0, 28);
  nameBytes.copy(header, LOCAL_HEADER_SIZE);
  return header;
}
