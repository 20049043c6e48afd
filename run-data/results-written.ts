import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomerResult } from '../rating/types.js';
import { queryPages } from './run-table.js';
import { decodeResultPage, RESULT_PAGE } from './item-codec.js';
import { FIRST_RESULT_SEQ } from './table-layout.js';

/**
 * The results of seqs `from` … `to` of one chunk that are in the run table, by seq: one
 * consistent Query over the result pages. A page starts where its child's slice does, so one
 * that starts up to a page before `from` may reach into the range.
 */
export async function resultsInRange(ddb: DynamoDBClient, table: string, chunk: number, from: number, to: number): Promise<Map<number, CustomerResult>> {
  const bySeq = new Map<number, CustomerResult>();
  const pages = queryPages(ddb, {
    TableName: table,
    KeyConditionExpression: 'chunk = :c AND seq BETWEEN :first AND :last',
    // Result pages only: the chunk's end and progress items sit below them.
    ExpressionAttributeValues: { ':c': { N: String(chunk) }, ':first': { N: String(Math.max(from - RESULT_PAGE + 1, FIRST_RESULT_SEQ)) }, ':last': { N: String(to) } },
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      for (const { seq, result } of decodeResultPage(item)) if (seq >= from && seq <= to) bySeq.set(seq, result);
    }
  }
  return bySeq;
}

/**
 * Which of `seqs` (of one chunk) already have a result in the run table: what an earlier
 * attempt of a child wrote, so its retry skips them. One Query over the seqs' range, not a
 * BatchGetItem per 100 keys: a first attempt of a 10,000-record child learns that nothing is
 * written in one call instead of 100.
 */
export async function resultsWritten(ddb: DynamoDBClient, table: string, chunk: number, seqs: readonly number[]): Promise<Set<number>> {
  const done = new Set<number>();
  if (seqs.length === 0) return done;
  let first = Infinity;
  let last = -Infinity;
  for (const seq of seqs) {
    first = Math.min(first, seq);
    last = Math.max(last, seq);
  }
  const found = await resultsInRange(ddb, table, chunk, first, last);
  for (const seq of seqs) if (found.has(seq)) done.add(seq);
  return done;
}
