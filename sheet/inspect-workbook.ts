import { open, stat, type FileHandle } from 'node:fs/promises';
import { SheetError } from './sheet-error.js';
import { formatBytes, type SheetLimits } from './sheet-limits.js';
import { describeContent } from './sniff-content.js';
import { chooseCustomerSheet, parseWorkbookParts, type WorkbookParts } from './workbook-parts.js';
import { readAt, readZipDirectory, ZipFormatError, type ZipEntry } from './zip-directory.js';
import { entryChunks, isSupportedMethod, locateEntry, readEntryText, type LocatedEntry, type RepackPart } from './zip-entry.js';
import { countRowTags } from './count-rows.js';

/** Everything the streaming read needs, established before anything is parsed. */
export interface WorkbookPlan {
  bytes: number;
  /** `<row>` elements in the customer sheet. */
  rows: number;
  sheetName: string;
  date1904: boolean;
  /** The parts exceljs needs, in the order that lets it stream the sheet without spooling it to disk. */
  parts: RepackPart[];
  sheet: LocatedEntry;
  sharedStrings: LocatedEntry | undefined;
}

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_SIGNATURES = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];
const SNIFF_BYTES = 64 * 1024;
/** Small entries compress absurdly well without harm (an empty sheet is all markup). */
const RATIO_CHECK_FLOOR = 1024 * 1024;
const WORKBOOK_PATH = 'xl/workbook.xml';
const WORKBOOK_RELS_PATH = 'xl/_rels/workbook.xml.rels';
/** exceljs's streaming reader recognises its parts by these fixed names. */
const EXCELJS_NAMES = {
  workbook: 'xl/workbook.xml',
  rels: 'xl/_rels/workbook.xml.rels',
  styles: 'xl/styles.xml',
  sharedStrings: 'xl/sharedStrings.xml',
  sheet: 'xl/worksheets/sheet1.xml',
};
const EMPTY_SHARED_STRINGS = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>';

/** Runs the cheap checks in order of cost; the first failure is thrown as a SheetError. */
export async function inspectWorkbook(path: string, limits: SheetLimits): Promise<WorkbookPlan> {
  let bytes: number;
  try {
    bytes = (await stat(path)).size;
  } catch (cause) {
    throw new SheetError(`The uploaded file cannot be opened (${(cause as Error).message}).`, 'SHEET_UNREADABLE', { cause });
  }
  if (bytes === 0) {
    throw new SheetError('The uploaded file is empty (0 bytes). Upload the .xlsx workbook again.', 'SHEET_EMPTY_FILE');
  }
  if (bytes > limits.maxBytes) {
    throw new SheetError(
      `The file is ${formatBytes(bytes)}, over the ${formatBytes(limits.maxBytes)} limit on the file size (maxBytes). ` +
        'Split the customers over several workbooks.',
      'SHEET_TOO_LARGE',
    );
  }
  const file = await open(path, 'r');
  try {
    const head = await readAt(file, 0, Math.min(bytes, SNIFF_BYTES));
    refuseNonZip(head);
    const entries = await readDirectory(file, bytes);
    refuseBombs(entries, limits);
    refuseEncrypted(entries);
    const byPath = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry]));
    const find = (name: string | undefined) => (name === undefined ? undefined : byPath.get(name.toLowerCase()));
    const workbookEntry = find(WORKBOOK_PATH);
    if (workbookEntry === undefined) {
      throw new SheetError(
        `The file is a zip archive but not an Excel workbook: it has no ${WORKBOOK_PATH}` +
          `${guessPackage(byPath)}. Save the customers from Excel as "Excel Workbook (.xlsx)".`,
        'SHEET_NOT_WORKBOOK',
      );
    }
    const relsEntry = find(WORKBOOK_RELS_PATH);
    if (relsEntry === undefined) throw damaged(`it has no ${WORKBOOK_RELS_PATH}`);

    const located = (entry: ZipEntry) => locate(file, bytes, entry);
    const workbook = await located(workbookEntry);
    const rels = await located(relsEntry);
    const parts = parseWorkbookParts(await readText(file, workbook), await readText(file, rels));
    const chosen = chooseCustomerSheet(parts.sheets);
    if (chosen === undefined) throw noSheets(parts);
    const sheetEntry = find(chosen.path);
    if (sheetEntry === undefined) throw damaged(`the sheet "${chosen.name}" has no part ${chosen.path ?? ''}`);
    const sheet = await located(sheetEntry);
    const stylesEntry = find(parts.stylesPath);
    const styles = stylesEntry && (await located(stylesEntry));
    const sharedStringsEntry = find(parts.sharedStringsPath);
    const sharedStrings = sharedStringsEntry && (await located(sharedStringsEntry));

    const rows = await countRows(path, sheet, chosen.name);
    return {
      bytes,
      rows,
      sheetName: chosen.name,
      date1904: parts.date1904,
      parts: [
        { name: EXCELJS_NAMES.workbook, entry: workbook },
        { name: EXCELJS_NAMES.rels, entry: rels },
        ...(styles ? [{ name: EXCELJS_NAMES.styles, entry: styles }] : []),
        // Without a shared strings part exceljs spools every sheet to a temp file first.
        sharedStrings
          ? { name: EXCELJS_NAMES.sharedStrings, entry: sharedStrings }
          : { name: EXCELJS_NAMES.sharedStrings, content: EMPTY_SHARED_STRINGS },
        { name: EXCELJS_NAMES.sheet, entry: sheet },
      ],
      sheet,
      sharedStrings,
    };
  } finally {
    await file.close();
  }
}

function refuseNonZip(head: Buffer): void {
  if (head.subarray(0, OLE_SIGNATURE.length).equals(OLE_SIGNATURE)) {
    const encrypted = head.includes(Buffer.from('EncryptedPackage', 'utf16le'));
    throw new SheetError(
      encrypted
        ? 'The workbook is password-protected, so it cannot be read. Remove the password in Excel ' +
            '(File > Info > Protect Workbook > Encrypt with Password, clear it) and upload it again.'
        : 'The file is an OLE compound document: a password-protected workbook or an old Excel 97-2003 .xls. ' +
            'Remove any password and save it as "Excel Workbook (.xlsx)".',
      'SHEET_ENCRYPTED',
    );
  }
  if (!ZIP_SIGNATURES.some((signature) => head.subarray(0, 4).equals(signature))) {
    throw new SheetError(
      `The file is not an Excel .xlsx workbook: it looks like ${describeContent(head)}. ` +
        'Open it in Excel and save it as "Excel Workbook (.xlsx)".',
      'SHEET_NOT_XLSX',
    );
  }
}

async function readDirectory(file: FileHandle, bytes: number): Promise<ZipEntry[]> {
  try {
    return await readZipDirectory(file, bytes);
  } catch (cause) {
    if (!(cause instanceof ZipFormatError)) throw cause;
    throw new SheetError(
      `The file starts like an .xlsx (zip) file but cannot be read: ${cause.message}. It may be cut short; upload it again.`,
      'SHEET_NOT_XLSX',
      { cause },
    );
  }
}

/** Judged from the central directory alone, before inflating a byte. */
function refuseBombs(entries: ZipEntry[], limits: SheetLimits): void {
  const total = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  if (total > limits.maxUncompressedBytes) {
    throw new SheetError(
      `The workbook would expand to ${formatBytes(total)} when unpacked, over the ${formatBytes(limits.maxUncompressedBytes)} ` +
        'limit (maxUncompressedBytes). It is a zip bomb or far too big a workbook; split the customers over several workbooks.',
      'SHEET_ZIP_BOMB',
    );
  }
  for (const entry of entries) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_CHECK_FLOOR && ratio > limits.maxCompressionRatio) {
      throw new SheetError(
        `The workbook looks like a zip bomb: ${entry.name} would expand from ${formatBytes(entry.compressedSize)} to ` +
          `${formatBytes(entry.uncompressedSize)} (${Math.round(ratio)}x, over the ${limits.maxCompressionRatio}x limit, ` +
          'maxCompressionRatio). A genuine spreadsheet does not compress that well.',
        'SHEET_ZIP_BOMB',
      );
    }
  }
  // Entries sharing compressed bytes are how the largest zip bombs multiply themselves.
  const ordered = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1]!;
    const current = ordered[i]!;
    const previousEnd = previous.localHeaderOffset + 30 + Buffer.byteLength(previous.name) + previous.compressedSize;
    if (previousEnd > current.localHeaderOffset) {
      throw new SheetError(
        `The workbook looks like a zip bomb: the entries ${previous.name} and ${current.name} overlap in the file.`,
        'SHEET_ZIP_BOMB',
      );
    }
  }
}

function refuseEncrypted(entries: ZipEntry[]): void {
  const encrypted = entries.find((entry) => entry.flags & 0x1);
  if (encrypted !== undefined) {
    throw new SheetError(
      `The file is a password-protected zip archive (${encrypted.name} is encrypted). Upload the workbook without a password.`,
      'SHEET_ENCRYPTED',
    );
  }
}

async function locate(file: FileHandle, bytes: number, entry: ZipEntry): Promise<LocatedEntry> {
  if (!isSupportedMethod(entry)) {
    throw new SheetError(
      `The workbook part ${entry.name} uses zip compression method ${entry.method}, which cannot be read. Save the file again from Excel.`,
      'SHEET_UNREADABLE',
    );
  }
  try {
    return await locateEntry(file, bytes, entry);
  } catch (cause) {
    if (!(cause instanceof ZipFormatError)) throw cause;
    throw damaged(cause.message, cause);
  }
}

async function readText(file: FileHandle, entry: LocatedEntry): Promise<string> {
  try {
    return await readEntryText(file, entry);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw sizeLie(entry, cause);
    throw damaged(`${entry.name} cannot be unpacked (${(cause as Error).message})`, cause);
  }
}

/**
 * Counts the sheet's rows by scanning its inflated XML, keeping nothing. Every row is counted,
 * past the limit too, so a refusal can say how many there are: the scan is bounded by the
 * sheet's declared size, which the zip-bomb checks have bounded already. Where the header is,
 * and so how many of the rows are customers, is found by the caller (validateWorkbookFile,
 * readCustomerSheet), which refuses too many.
 */
async function countRows(path: string, sheet: LocatedEntry, sheetName: string): Promise<number> {
  let rows: number;
  try {
    rows = await countRowTags(entryChunks(path, sheet), { maxBytes: sheet.uncompressedSize });
  } catch (cause) {
    if (cause instanceof RangeError) throw sizeLie(sheet, cause);
    throw damaged(`the sheet "${sheetName}" cannot be unpacked (${(cause as Error).message})`, cause);
  }
  if (rows === 0) throw emptySheet(sheetName);
  return rows;
}

export function emptySheet(sheetName: string): SheetError {
  return new SheetError(`The sheet "${sheetName}" is empty: it has no rows. Put the customers on it, under a header row.`, 'SHEET_EMPTY');
}

/**
 * The sheet has more customer rows than `maxRows` (SHEET_MAX_ROWS): `rows` below its header
 * when they were counted, or, found while streaming, at least one more than the limit.
 */
export function tooManyRows(sheetName: string, maxRows: number, rows?: number): SheetError {
  const count = (n: number) => n.toLocaleString('en-US');
  const found = rows === undefined ? `more than ${count(maxRows)} rows below its header, the limit` : `${count(rows)} rows below its header, over the limit of ${count(maxRows)}`;
  return new SheetError(
    `The sheet "${sheetName}" has ${found} (SHEET_MAX_ROWS). Split the customers over several workbooks.`,
    'SHEET_TOO_MANY_ROWS',
  );
}

export function sizeLie(entry: ZipEntry, cause?: unknown): SheetError {
  return new SheetError(
    `The workbook looks like a zip bomb: ${entry.name} unpacks to more than the ${formatBytes(entry.uncompressedSize)} its zip directory declares.`,
    'SHEET_ZIP_BOMB',
    { cause },
  );
}

function damaged(detail: string, cause?: unknown): SheetError {
  return new SheetError(
    `The workbook is damaged: ${detail}. Open it in Excel, save it as "Excel Workbook (.xlsx)" and upload it again.`,
    'SHEET_NOT_WORKBOOK',
    { cause },
  );
}

function noSheets(parts: WorkbookParts): SheetError {
  const worksheets = parts.sheets.filter((sheet) => sheet.isWorksheet);
  return new SheetError(
    worksheets.length === 0
      ? 'The workbook has no worksheets. Put the customers on a sheet named "Customers".'
      : `Every worksheet in the workbook is hidden (${worksheets.map((sheet) => `"${sheet.name}"`).join(', ')}). ` +
          'Unhide the customer sheet or name it "Customers".',
    'SHEET_NO_SHEETS',
  );
}

/** Names the kind of Office file a zip without xl/workbook.xml is, when it is one. */
function guessPackage(byPath: Map<string, ZipEntry>): string {
  if (byPath.has('xl/workbook.bin')) return ' (it is an Excel binary .xlsb workbook)';
  if (byPath.has('word/document.xml')) return ' (it looks like a Word document)';
  if (byPath.has('ppt/presentation.xml')) return ' (it looks like a PowerPoint presentation)';
  if (byPath.has('content.xml') && byPath.has('mimetype')) return ' (it looks like an OpenDocument file)';
  return '';
}
