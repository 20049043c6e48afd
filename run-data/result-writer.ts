import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult } from '../rating/types.js';
import { BoundedPool } from '../concurrency/bounded-pool.js';
import { RESULT_PAGE, resultPageItem, type Item, type SeqResult } from './item-codec.js';
import { WRITE_BATCH, writeBatch } from './run-table.js';
import { addChunkProgress } from './chunk-progress.js';
import { errorWithCode } from '../errors/drover-error.js';

export interface ResultWriterOptions {
  ddb: DynamoDBClient;
  table: string;
  chunk: number;
  /**
   * The seqs of the child's whole slice, in order: they fix its result pages, so a retry, which
   * is given only the records still to do, fills the very pages the first attempt left unwritten.
   */
  slice: readonly number[];
  /** Batch writes in flight at once. Integer >= 1. Default 4. */
  inFlight?: number;
  /** Longest a full page waits for 24 others before it is written anyway, in ms. Default 100. */
  lingerMs?: number;
}

/**
 * Thrown by close() when a page still lacks results: every record given to the child must
 * have one before it exits, or the page would be lost with it.
 */
export class IncompletePagesError extends errorWithCode('IncompletePagesError', 'RESULTS_INCOMPLETE') {}

/**
 * Writes a child's results to the run table a page at a time: a page (RESULT_PAGE records of
 * the slice) is put once all its records have results, up to 25 pages to a BatchWriteItem.
 * A page is put whole or not at all, so a retried child, which skips the records already
 * written, has only whole pages left to do and puts each under the key it always had. Batch
 * runs one attempt of a child at a time, so no two attempts race for a page.
 *
 * The lookups do not wait for the writes, only for room when `inFlight` batches are under way.
 */
export function createResultWriter({ ddb, table, chunk, slice, inFlight = 4, lingerMs = 100 }: ResultWriterOptions) {
  const pool = new BoundedPool(inFlight);
  const pageOf = new Map<number, number>();
  slice.forEach((seq, i) => pageOf.set(seq, Math.floor(i / RESULT_PAGE)));
  const pageSize = (page: number) => Math.min(RESULT_PAGE, slice.length - page * RESULT_PAGE);
  const open = new Map<number, SeqResult[]>();
  let buffer: Item[] = [];
  let timer: NodeJS.Timeout | undefined;
  let written = 0;

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return Promise.resolve();
    const batch = buffer;
    buffer = [];
    return pool.add(async () => {
      await writeBatch(ddb, table, batch);
      const n = batch.reduce((sum, item) => sum + Number(item.n!.N), 0);
      const errors = batch.reduce((sum, item) => sum + Number(item.errors?.N ?? 0), 0);
      written += n;
      // Only a hint to the job's watcher and the run's progress (chunk-progress.ts): the totals come from the pages.
      await addChunkProgress(ddb, table, chunk, { written: n, errors }).catch(() => undefined);
    });
  }

  return {
    /** Queues the result; waits only while `inFlight` batches are already under way. */
    add(record: CustomerRecord, result: CustomerResult): Promise<void> {
      const page = pageOf.get(record.seq);
      if (page === undefined) throw new RangeError(`seq ${record.seq} is not in the child's slice`);
      const results = open.get(page) ?? [];
      open.set(page, results);
      results.push({ seq: record.seq, result });
      if (results.length < pageSize(page)) return Promise.resolve();
      open.delete(page);
      buffer.push(resultPageItem(chunk, results.sort((a, b) => a.seq - b.seq)));
      if (buffer.length >= WRITE_BATCH) return flush();
      // A failure here is kept by the pool and rethrown by close().
      timer ??= setTimeout(() => void flush().catch(() => undefined), lingerMs);
      return Promise.resolve();
    },
    /** Writes what is buffered and waits for every write; rethrows the first that failed. */
    async close(): Promise<{ written: number }> {
      await flush();
      await pool.drain();
      if (open.size > 0) {
        const missing = [...open].reduce((n, [page, results]) => n + pageSize(page) - results.length, 0);
        throw new IncompletePagesError(`${open.size} result pages of chunk ${chunk} were not written: ${missing} of their records have no result`);
      }
      return { written };
    },
  };
}
