import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryPages } from './run-table.js';
import { FIRST_RESULT_SEQ } from './table-layout.js';

/**
 * How many of a chunk's records have a result, and how many of those are ERROR: the sums of
 * the result pages' own counts, so a chunk's results never cross into the worker (a 10,000-record
 * chunk is a hundred small items of two numbers each).
 */
export async function resultTotals(ddb: DynamoDBClient, table: string, chunk: number): Promise<{ done: number; errors: number }> {
  let done = 0;
  let errors = 0;
  const pages = queryPages(ddb, {
    TableName: table,
    // Result pages only: the chunk's end and progress items sit below them.
    KeyConditionExpression: 'chunk = :c AND seq >= :first',
    ExpressionAttributeValues: { ':c': { N: String(chunk) }, ':first': { N: String(FIRST_RESULT_SEQ) } },
    ProjectionExpression: '#n, #errors',
    ExpressionAttributeNames: { '#n': 'n', '#errors': 'errors' },
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      done += Number(item.n?.N ?? 0);
      errors += Number(item.errors?.N ?? 0);
    }
  }
  return { done, errors };
}
