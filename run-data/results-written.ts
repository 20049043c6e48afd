import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryPages } from './run-table.js';
import { decodeResultPage } from './item-codec.js';

/**
 * Which of `seqs` (of one chunk) already have a result in the run table: what an earlier
 * attempt of a child wrote, so its retry skips them. One consistent Query over the seqs'
 * range (result pages are keyed chunk, first seq), not a BatchGetItem per 100 keys: a first
 * attempt of a 10,000-record child learns that nothing is written in one call instead of 100.
 */
export async function resultsWritten(ddb: DynamoDBClient, table: string, chunk: number, seqs: readonly number[]): Promise<Set<number>> {
  const done = new Set<number>();
  if (seqs.length === 0) return done;
  const wanted = new Set(seqs);
  let first = Infinity;
  let last = -Infinity;
  for (const seq of seqs) {
    first = Math.min(first, seq);
    last = Math.max(last, seq);
  }
  const pages = queryPages(ddb, {
    TableName: table,
    KeyConditionExpression: 'chunk = :c AND seq BETWEEN :first AND :last',
    ExpressionAttributeValues: { ':c': { N: String(chunk) }, ':first': { N: String(first) }, ':last': { N: String(last) } },
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      for (const { seq } of decodeResultPage(item)) if (wanted.has(seq)) done.add(seq);
    }
  }
  return done;
}
