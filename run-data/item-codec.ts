import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult } from '../rating/types.js';

export type Item = Record<string, AttributeValue>;

/**
 * The run table holds three kinds of item, each in partitions of its own:
 * - results: partition `chunk`, sort key the first seq of a page of up to RESULT_PAGE
 *   consecutive records of one child's slice, put by that child once every record of the
 *   page has its result. Packed for the reasons records are: one result an item made the
 *   children's writes a fifth of a 20,000-record run's time on the emulator (bench/results.md);
 *   and under seq -1 the end of the chunk's array job (chunk-end.ts);
 * - records: partition `recordsPartition(chunk)`, sort key the first seq of a page of up to
 *   RECORD_PAGE records, put by ingest. Packed because DynamoDB meters writes per KB rounded
 *   up per item: a 250-byte record alone costs a whole write unit, 100 of them in one item 25;
 *   and the emulator's cost is per item too;
 * - the source budget: partition -1 (budget/state-item.ts).
 */
export function itemKey(chunk: number, seq: number): Item {
  return { chunk: { N: String(chunk) }, seq: { N: String(seq) } };
}

/** Records of a page: a chunk's pages start at its first seq, every RECORD_PAGE seqs. */
export const RECORD_PAGE = 100;

/** -2, -3, …: below the budget's -1, so no partition of one kind is another's. */
export function recordsPartition(chunk: number): number {
  return -2 - chunk;
}

/** One page of consecutive records of one chunk. */
export function recordPageItem(chunk: number, records: CustomerRecord[]): Item {
  if (records.length === 0 || records.length > RECORD_PAGE) throw new RangeError(`a record page holds 1 to ${RECORD_PAGE} records, not ${records.length}`);
  return { ...itemKey(recordsPartition(chunk), records[0]!.seq), recs: { S: JSON.stringify(records) } };
}

export function decodeRecordPage(item: Item): CustomerRecord[] {
  return JSON.parse(item.recs?.S ?? '[]') as CustomerRecord[];
}

/** Results of a page: a child's slice is cut into pages from its first record, every RESULT_PAGE records. */
export const RESULT_PAGE = 100;

/** One customer's result with the seq of its record. */
export interface SeqResult {
  seq: number;
  result: CustomerResult;
}

/**
 * The result page of consecutive records of one child's slice: what a child puts, once every
 * record of the page has its result (a retry puts the same key). `n` and `errors` let the
 * array job count a chunk's results without reading them.
 */
export function resultPageItem(chunk: number, results: readonly SeqResult[]): Item {
  if (results.length === 0 || results.length > RESULT_PAGE) throw new RangeError(`a result page holds 1 to ${RESULT_PAGE} results, not ${results.length}`);
  const errors = results.reduce((n, r) => n + (r.result.rating === 'ERROR' ? 1 : 0), 0);
  return {
    ...itemKey(chunk, results[0]!.seq),
    n: { N: String(results.length) },
    errors: { N: String(errors) },
    res: { S: JSON.stringify(results.map((r) => [r.seq, r.result])) },
  };
}

export function decodeResultPage(item: Item): SeqResult[] {
  const entries = JSON.parse(item.res?.S ?? '[]') as [number, CustomerResult][];
  return entries.map(([seq, result]) => ({ seq, result }));
}
