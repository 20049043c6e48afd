import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
  type QueryCommandInput,
  type QueryCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_ID_TAG } from './names.js';
import { PARTITION_KEY, SORT_KEY, type Item } from './table-layout.js';

/** Creates the run's table, or adopts it when a retried attempt created it already. */
export async function createRunTable(ddb: DynamoDBClient, table: string, runId: string): Promise<void> {
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: 'N' },
          { AttributeName: SORT_KEY, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: SORT_KEY, KeyType: 'RANGE' },
        ],
        Tags: [{ Key: RUN_ID_TAG, Value: runId }],
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: 300, minDelay: 1, maxDelay: 5 }, { TableName: table });
}

/** Deletes the table; a table already gone counts as deleted. */
export async function deleteRunTable(ddb: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

/** BatchWriteItem takes 25 items at most. */
export const WRITE_BATCH = 25;

/** Most tries of a batch call whose unprocessed part is tried again. */
const UNPROCESSED_TRIES = 12;

/**
 * Before try `attempt` (0-based) of what a batch call left unprocessed: none before the first,
 * then exponential backoff with jitter, as AWS advises for throttled batch calls.
 */
export async function unprocessedBackoff(attempt: number, left: number, what: string): Promise<void> {
  if (attempt > UNPROCESSED_TRIES) throw new Error(`DynamoDB left ${left} ${what} unprocessed after ${attempt} tries`);
  if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 5000) * (0.5 + Math.random() / 2));
}

/** Writes up to 25 items, retrying what DynamoDB leaves unprocessed with exponential backoff. */
export async function writeBatch(ddb: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  let pending: WriteRequest[] = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    await unprocessedBackoff(attempt, pending.length, 'items');
    const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = out.UnprocessedItems?.[table] ?? [];
  }
}

/** Every page of a consistent Query, following LastEvaluatedKey (DynamoDB answers 1 MB a page). */
export async function* queryPages(ddb: DynamoDBClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'ConsistentRead'>): AsyncGenerator<QueryCommandOutput> {
  let start: Item | undefined;
  do {
    const page = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: start, ConsistentRead: true }));
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}
