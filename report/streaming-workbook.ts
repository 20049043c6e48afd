import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { ReportWriterError } from './errors.js';

/**
 * An exceljs streaming workbook writing to a file, with the flow control exceljs lacks.
 *
 * exceljs's WorkbookWriter ignores back pressure: each worksheet is a StreamBuf that pushes
 * its XML into the zip (through a PassThrough that archiver puts in front of it) without
 * waiting, so rows committed in a tight loop pile up there, uncompressed, faster than deflate
 * and the disk drain them (measured: about 450 bytes a row, the whole sheet, retained).
 * `yieldToWriter(sheet)` between batches waits until that backlog and the file stream have
 * drained, which keeps memory bounded by a batch rather than by the run.
 */
export interface StreamingWorkbook {
  workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  /**
   * Lets queued output of `sheet` reach the disk; call between batches of rows.
   * Throws a write error seen so far.
   */
  yieldToWriter(sheet: ExcelJS.Worksheet): Promise<void>;
  /** Commits the workbook and waits until the file is complete. */
  commit(): Promise<void>;
  /** Stops writing and removes the partial file. Never throws. */
  abort(): Promise<void>;
}

export async function openStreamingWorkbook(path: string): Promise<StreamingWorkbook> {
  const output = createWriteStream(path);
  let failure: Error | undefined;
  // Without a listener an early error (a missing folder, a full disk) would crash the process.
  output.on('error', (error) => {
    failure ??= error;
  });
  try {
    await once(output, 'ready');
  } catch (error) {
    throw new ReportWriterError(`Cannot write the workbook ${path}: ${(error as Error).message}`, 'REPORT_OUTPUT', { cause: error });
  }
  // zlib's default level 6, not the zip library's best speed (1): the report of 100,000 customers is 6.2 MB instead
  // of 7.5 (under DROVER_MAIL_ATTACH_MAX_BYTES, so it is attached), for 0.2 s more of deflate, which
  // runs on libuv's threads rather than the writer's.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 6 } } });

  const check = (): void => {
    if (failure) {
      throw new ReportWriterError(`Writing the workbook ${path} failed: ${failure.message}`, 'REPORT_OUTPUT', { cause: failure });
    }
  };

  return {
    workbook,
    async yieldToWriter(sheet) {
      check();
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const pipe of sheetPipes(sheet)) {
        while (!failure && backlog(pipe) > MAX_BACKLOG) await waitForDrain(pipe);
      }
      if (output.writableNeedDrain) await waitForDrain(output);
      check();
    },
    async commit() {
      check();
      try {
        await workbook.commit();
      } catch (error) {
        throw new ReportWriterError(`Writing the workbook ${path} failed: ${(error as Error).message}`, 'REPORT_OUTPUT', { cause: error });
      }
      check();
    },
    async abort() {
      output.destroy();
      await rm(path, { force: true }).catch(() => undefined);
    },
  };
}

/** Bytes of XML a sheet may have waiting for the zip before the writer waits. */
const MAX_BACKLOG = 1024 * 1024;

/** A readable-stream 2.x or node stream, as archiver and fs use. */
interface Drainable {
  on(event: 'drain' | 'error', listener: () => void): unknown;
  off(event: 'drain' | 'error', listener: () => void): unknown;
  _writableState?: { length: number };
}

/**
 * The streams a worksheet's StreamBuf writes into (`stream.pipes`, exceljs 4.4 internals).
 * Empty when exceljs changes shape, which only loses the flow control, not correctness.
 */
function sheetPipes(sheet: ExcelJS.Worksheet): Drainable[] {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown } }).stream?.pipes;
  return Array.isArray(pipes) ? pipes.filter((p): p is Drainable => typeof p?._writableState?.length === 'number') : [];
}

function backlog(pipe: Drainable): number {
  return pipe._writableState?.length ?? 0;
}

/** Resolves on 'drain', or on 'error' so the caller's next check reports it instead of hanging. */
function waitForDrain(output: Drainable | WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      output.off('drain', done);
      output.off('error', done);
      resolve();
    };
    output.on('drain', done);
    output.on('error', done);
  });
}
