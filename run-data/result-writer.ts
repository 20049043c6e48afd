import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult } from '../rating/types.js';
import { BoundedPool } from '../concurrency/bounded-pool.js';
import { resultItem, type Item } from './item-codec.js';
import { WRITE_BATCH, writeBatch } from './run-table.js';

export interface ResultWriterOptions {
  ddb: DynamoDBClient;
  table: string;
  chunk: number;
  /** Batch writes in flight at once. Integer >= 1. Default 4. */
  inFlight?: number;
  /** Longest a result waits for 24 others before it is written anyway, in ms. Default 100. */
  lingerMs?: number;
}

/**
 * Writes a child's results to the run table as they land, 25 to a BatchWriteItem: one call
 * where a conditional UpdateItem per result took 25, and the calls were most of the child's
 * CPU and of the emulator's (bench/results.md). Each put is the record's whole result item,
 * so a put is idempotent: a retried child, which skips the records already written, can at
 * worst write a record's result again under the same key. Batch
 * runs one attempt of a child at a time, so no two attempts race for a record.
 *
 * The lookups do not wait for the writes, only for room when `inFlight` batches are under way.
 */
export function createResultWriter({ ddb, table, chunk, inFlight = 4, lingerMs = 100 }: ResultWriterOptions) {
  const pool = new BoundedPool(inFlight);
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
      written += batch.length;
    });
  }

  return {
    /** Queues the result; waits only while `inFlight` batches are already under way. */
    add(record: CustomerRecord, result: CustomerResult): Promise<void> {
      buffer.push(resultItem(chunk, record.seq, result));
      if (buffer.length >= WRITE_BATCH) return flush();
      // A failure here is kept by the pool and rethrown by close().
      timer ??= setTimeout(() => void flush().catch(() => undefined), lingerMs);
      return Promise.resolve();
    },
    /** Writes what is buffered and waits for every write; rethrows the first that failed. */
    async close(): Promise<{ written: number }> {
      await flush();
      await pool.drain();
      return { written };
    },
  };
}
