import { BatchGetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chunkEndKey, type Item } from './table-layout.js';
import { unprocessedBackoff } from './run-table.js';

/**
 * The end of a chunk's array job, as its watching activity saw it: put in the chunk's results
 * partition, below every result page (table-layout.ts), once no child of the job will write again.
 * The report reads a chunk's results while its job runs, and takes a range with results
 * missing as final only once this item exists.
 */
export interface ChunkEnd {
  status: 'SUCCEEDED' | 'FAILED';
  /** Epoch ms: the job's creation and end, as Batch reports them. */
  createdAt: number;
  stoppedAt: number;
}

export async function putChunkEnd(ddb: DynamoDBClient, table: string, chunk: number, end: ChunkEnd): Promise<void> {
  const item: Item = { ...chunkEndKey(chunk), end: { S: JSON.stringify(end) } };
  await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
}

/** BatchGetItem takes 100 keys at most. */
const GET_BATCH = 100;

/** The ends of those of `chunks` whose job has ended, by chunk index (consistent reads). */
export async function readChunkEnds(ddb: DynamoDBClient, table: string, chunks: readonly number[]): Promise<Map<number, ChunkEnd>> {
  const ends = new Map<number, ChunkEnd>();
  for (let i = 0; i < chunks.length; i += GET_BATCH) {
    let keys: Item[] | undefined = chunks.slice(i, i + GET_BATCH).map(chunkEndKey);
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      await unprocessedBackoff(attempt, keys.length, 'chunk ends');
      const out = await ddb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of out.Responses?.[table] ?? []) ends.set(Number(item.chunk!.N), JSON.parse(item.end!.S!) as ChunkEnd);
      keys = out.UnprocessedKeys?.[table]?.Keys as Item[] | undefined;
    }
  }
  return ends;
}
