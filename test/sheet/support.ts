import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { expect } from '@jest/globals';
import { SheetError, type SheetErrorCode, type SheetItem } from '../../sheet/index.js';

/** A scratch directory per test file; `remove()` in afterAll. */
export async function scratchDir(): Promise<{ path: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-sheet-'));
  return { path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a workbook with exceljs's ordinary (non-streaming) writer, as a user's Excel file stands in. */
export async function writeWorkbook(path: string, build: (workbook: ExcelJS.Workbook) => void): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  await workbook.xlsx.writeFile(path);
  return path;
}

export interface ZipFile {
  name: string;
  data: string | Buffer;
  /** Deflate the data (default: store it). */
  deflate?: boolean;
  /** Lie about the uncompressed size in the headers. */
  declaredSize?: number;
  /** General purpose flags, e.g. 1 for "encrypted". */
  flags?: number;
}

/** A minimal zip writer (APPNOTE 4.3): local headers, data, central directory, end record. */
export function zipBytes(files: ZipFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const raw = Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data, 'utf8');
    const data = file.deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(file.name, 'utf8');
    const fields = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at);
      header.writeUInt16LE(file.flags ?? 0, at + 2);
      header.writeUInt16LE(file.deflate ? 8 : 0, at + 4);
      header.writeUInt16LE(0x21, at + 8);
      header.writeUInt32LE(crc32(raw), at + 10);
      header.writeUInt32LE(data.length, at + 14);
      header.writeUInt32LE(file.declaredSize ?? raw.length, at + 18);
      header.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export async function writeZip(path: string, files: ZipFile[]): Promise<string> {
  await writeFile(path, zipBytes(files));
  return path;
}

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * A hand-made package the way some other tools write them: absolute relationship targets,
 * a sheet part not called sheetN.xml, inline strings, no shared strings and no styles part.
 */
export function handMadeWorkbook(sheetXml: string, options: Partial<ZipFile> = {}): ZipFile[] {
  return [
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="${MAIN_NS}" xmlns:rel="${REL_NS}"><x:sheets><x:sheet name="Customers &amp; Co" sheetId="1" rel:id="rId7"/></x:sheets></x:workbook>`,
      deflate: true,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="${REL_NS}/worksheet" Target="/xl/worksheets/data.xml"/></Relationships>`,
      deflate: true,
    },
    { name: 'xl/worksheets/data.xml', data: sheetXml, deflate: true, ...options },
  ];
}

/** Inline-string worksheet XML from rows of texts. */
export function inlineSheetXml(rows: string[][]): string {
  const cells = (row: string[], r: number) =>
    row.map((text, c) => `<c r="${String.fromCharCode(65 + c)}${r}" t="inlineStr"><is><t>${text}</t></is></c>`).join('');
  const body = rows.map((row, i) => `<row r="${i + 1}">${cells(row, i + 1)}</row>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN_NS}"><sheetData>${body}</sheetData></worksheet>`;
}

export async function collect(items: AsyncIterable<SheetItem>): Promise<SheetItem[]> {
  const all: SheetItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Awaits the promise, expects a SheetError with `code`, and returns it for the message to be checked. */
export async function sheetError(promise: Promise<unknown>, code: SheetErrorCode): Promise<SheetError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SheetError);
  const error = caught as SheetError;
  expect({ name: error.name, code: error.code }).toEqual({ name: 'SheetError', code });
  return error;
}
