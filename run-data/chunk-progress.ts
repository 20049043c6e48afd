import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chunkProgressKey } from './table-layout.js';

/**
 * A count of the results the children of a chunk have written, kept in the chunk's results
 * partition, below the result pages and beside the chunk's end (table-layout.ts). The
 * children add to it after each batch of result pages. The activity watching the chunk's
 * job reads it to know the job is about to end (and asks Batch then rather than at its next
 * backed-off poll), and passes it on to the run, whose `progress` follows it while the job runs.
 *
 * A hint, not a total: an add lost with a crashed child leaves it short, an add the SDK
 * retried after it was applied leaves it long. The totals are counted from the result
 * pages themselves (result-totals.ts).
 */

export interface ChunkProgress {
  /** Results written, ERROR included. */
  written: number;
  /** Of those, results that are ERROR. */
  errors: number;
}

export async function addChunkProgress(ddb: DynamoDBClient, table: string, chunk: number, add: ChunkProgress): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: chunkProgressKey(chunk),
      UpdateExpression: 'ADD written :n, #errors :e',
      ExpressionAttributeNames: { '#errors': 'errors' },
      ExpressionAttributeValues: { ':n': { N: String(add.written) }, ':e': { N: String(add.errors) } },
    }),
  );
}

/** What the chunk's children say they wrote; zeros before the first add. */
export async function readChunkProgress(ddb: DynamoDBClient, table: string, chunk: number): Promise<ChunkProgress> {
  const out = await ddb.send(new GetItemCommand({ TableName: table, Key: chunkProgressKey(chunk), ConsistentRead: true }));
  return { written: Number(out.Item?.written?.N ?? 0), errors: Number(out.Item?.errors?.N ?? 0) };
}
