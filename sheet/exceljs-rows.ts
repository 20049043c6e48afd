import { Transform, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sizeLie, type WorkbookPlan } from './inspect-workbook.js';
import { SheetError } from './sheet-error.js';
import type { LocatedEntry } from './zip-entry.js';
import { repackEntries } from './zip-entry.js';

/** What the reader relies on inside exceljs 4.4.0's streaming reader (lib/stream/xlsx/*-reader.js). */
interface WorkbookReaderInternals {
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
}
interface WorksheetReaderInternals {
  iterator: AsyncIterable<Buffer | string>;
}

/**
 * The rows of the plan's customer sheet, one at a time, through exceljs's streaming reader.
 * It is fed a re-packed zip holding only the parts it needs, with the shared strings before the
 * sheet, so the sheet is parsed as it inflates: nothing is spooled to disk and only the shared
 * strings table is held in memory.
 *
 * exceljs decodes each XML chunk with a TextDecoder that is not in streaming mode, so a
 * multi-byte character split between chunks (the ñ in "Muñoz") turns into two U+FFFD. Both
 * the shared strings and the sheet are therefore handed to it already decoded, which also lets
 * their size be checked against what the zip directory declared.
 */
export async function* streamSheetRows(path: string, plan: WorkbookPlan): AsyncGenerator<ExcelJS.Row> {
  const input = repackEntries(path, plan.parts);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // A hyperlink cell's value is its display text; the link target is not wanted.
    hyperlinks: 'ignore',
    // Needed for number formats, which tell dates from numbers.
    styles: 'cache',
    entries: 'ignore',
  });
  const internals = reader as unknown as WorkbookReaderInternals;
  const parseSharedStrings = internals._parseSharedStrings.bind(reader);
  const sharedStrings = plan.sharedStrings;
  internals._parseSharedStrings = (entry) =>
    parseSharedStrings(sharedStrings ? decodedStream(entry, sharedStrings) : entry);
  try {
    for await (const worksheet of reader) {
      const sheet = worksheet as unknown as WorksheetReaderInternals;
      sheet.iterator = decodedChunks(sheet.iterator, plan.sheet);
      for await (const row of worksheet) yield row;
    }
  } catch (cause) {
    if (cause instanceof SheetError) throw cause;
    throw new SheetError(
      `The sheet "${plan.sheetName}" cannot be read (${(cause as Error).message}). ` +
        'Open the workbook in Excel, save it again as "Excel Workbook (.xlsx)" and upload that.',
      'SHEET_UNREADABLE',
      { cause },
    );
  } finally {
    input.destroy();
  }
}

/** The entry as strings (the readable side's StringDecoder keeps split characters whole), size-checked. */
function decodedStream(entry: Readable, declared: LocatedEntry): Readable {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > declared.uncompressedSize ? sizeLie(declared) : null, chunk);
    },
  });
  counter.setEncoding('utf8');
  entry.on('error', (error) => counter.destroy(error));
  return entry.pipe(counter);
}

async function* decodedChunks(chunks: AsyncIterable<Buffer | string>, declared: LocatedEntry): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    bytes += chunk.length;
    if (bytes > declared.uncompressedSize) throw sizeLie(declared);
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}
