import type { FileHandle } from 'node:fs/promises';
import { errorWithCode } from '../errors/drover-error.js';

/** One file of a zip archive as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** General purpose flags; bit 0 means the entry is encrypted. */
  flags: number;
  /** 0 stored, 8 deflated. */
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's local file header starts. */
  localHeaderOffset: number;
}

/** The bytes are not a zip archive we can read the directory of (truncated, damaged, multi-disk). */
export class ZipFormatError extends errorWithCode('ZipFormatError', 'SHEET_ZIP_FORMAT') {}

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const MAX_COMMENT = 0xffff;

/**
 * Reads the central directory at the end of a zip file without inflating anything
 * (APPNOTE.TXT 4.3.12-4.3.16, with the ZIP64 records of 4.3.14-4.3.15 and extra field 0x0001),
 * so sizes can be judged before a single byte is decompressed.
 */
export async function readZipDirectory(file: FileHandle, fileSize: number): Promise<ZipEntry[]> {
  const tailSize = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailSize;
  const tail = await readAt(file, tailStart, tailSize);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory record (truncated or damaged zip)');

  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipFormatError('multi-disk zip archives are not supported');
  }
  const locator = tailStart + eocd - 20;
  if (locator >= 0 && (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff)) {
    const locatorBytes = await readAt(file, locator, 20);
    if (locatorBytes.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64 = await readAt(file, toNumber(locatorBytes.readBigUInt64LE(8)), 56);
      if (zip64.length < 56 || zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) {
        throw new ZipFormatError('damaged ZIP64 end of central directory record');
      }
      count = toNumber(zip64.readBigUInt64LE(32));
      directorySize = toNumber(zip64.readBigUInt64LE(40));
      directoryOffset = toNumber(zip64.readBigUInt64LE(48));
    }
  }
  if (directoryOffset + directorySize > fileSize) {
    throw new ZipFormatError('the central directory lies outside the file (truncated zip)');
  }

  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_HEADER_SIZE > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE) {
      throw new ZipFormatError('damaged central directory');
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameStart = at + CENTRAL_HEADER_SIZE;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) throw new ZipFormatError('damaged central directory');
    const flags = directory.readUInt16LE(at + 8);
    const entry: ZipEntry = {
      // Bit 11 says UTF-8; otherwise CP437, which agrees with latin1 on the ASCII names OOXML uses.
      name: directory.toString(flags & 0x800 ? 'utf8' : 'latin1', nameStart, extraStart),
      flags,
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, directory.subarray(extraStart, extraStart + extraLength));
    entries.push(entry);
    at = next;
  }
  return entries;
}

/** Replaces the 0xFFFFFFFF placeholders with the 64-bit values of extra field 0x0001, in their fixed order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const end = Math.min(field + size, extra.length);
      for (const key of ['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] === 0xffffffff && field + 8 <= end) {
          entry[key] = toNumber(extra.readBigUInt64LE(field));
          field += 8;
        }
      }
      return;
    }
    at += 4 + size;
  }
}

/** Past 2^53 precision no longer matters: such a size is refused anyway. */
function toNumber(value: bigint): number {
  return Number(value);
}

/** Reads `length` bytes at `position`, fewer only at the end of the file. */
export async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
