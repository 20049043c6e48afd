import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult, Rating } from '../rating/types.js';

export type Item = Record<string, AttributeValue>;

/**
 * The run table holds three kinds of item, each in partitions of its own:
 * - results: partition `chunk`, sort key `seq`, one item per record, put by the children;
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

/**
 * The result item of record `seq`: what a child puts, once per record (a retry puts the same
 * key). `rating` is an attribute of its own for the children's skip check and the error
 * count; the rest is one JSON attribute, which costs the SDK and the table far less to
 * (un)marshal than one attribute a field.
 */
export function resultItem(chunk: number, seq: number, result: CustomerResult): Item {
  const { rating, ...rest } = result;
  return { ...itemKey(chunk, seq), rating: { S: rating }, res: { S: JSON.stringify(rest) } };
}

export function decodeResult(item: Item): CustomerResult | undefined {
  if (!item.rating?.S) return undefined;
  return { rating: item.rating.S as Rating, ...(JSON.parse(item.res?.S ?? '{}') as Omit<CustomerResult, 'rating'>) };
}
