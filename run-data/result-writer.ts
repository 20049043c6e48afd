import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerResult } from '../rating/types.js';
import { BoundedPool } from '../concurrency/bounded-pool.js';
import { itemKey, resultUpdate } from './item-codec.js';

export interface ResultWriterOptions {
  ddb: DynamoDBClient;
  table: string;
  chunk: number;
  /** Writes in flight at once. Default 8. */
  inFlight?: number;
}

/**
 * Writes a child's results to the run table as they land, each with a conditional update so
 * it is written once: a retried child or a duplicate attempt leaves the first result in
 * place. The writes run beside the lookups, which do not wait for them.
 *
 * Not TransactWriteItems, which would take a twenty-fifth of the calls: the emulator copies
 * the whole table for every transaction and restores that copy when one is cancelled,
 * undoing other children's writes made meanwhile.
 */
export function createResultWriter({ ddb, table, chunk, inFlight = 8 }: ResultWriterOptions) {
  const pool = new BoundedPool(inFlight);
  let written = 0;
  let skipped = 0;

  async function write(seq: number, result: CustomerResult): Promise<void> {
    try {
      await ddb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: itemKey(chunk, seq),
          ...resultUpdate(result),
          ConditionExpression: 'attribute_exists(seq) AND attribute_not_exists(rating)',
        }),
      );
      written++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      skipped++;
    }
  }

  return {
    /** Queues the write; waits only while `inFlight` writes are already under way. */
    add(seq: number, result: CustomerResult): Promise<void> {
      return pool.add(() => write(seq, result));
    },
    /** Waits for every write; rethrows the first that failed. */
    async close(): Promise<{ written: number; skipped: number }> {
      await pool.drain();
      return { written, skipped };
    },
  };
}
