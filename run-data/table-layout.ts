/**
 * The run table's layout: the one place that says where each kind of item lives. Every other
 * module asks here for its keys.
 *
 * The table is keyed by `chunk` (the partition key, a number) and `seq` (the sort key, a
 * number), so the items of a partition read back in input order. It holds five kinds of item,
 * each in partitions, or under seqs, of its own:
 *
 * | item                        | chunk                    | seq                            | written by            |
 * | --------------------------- | ------------------------ | ------------------------------ | --------------------- |
 * | result page                 | the chunk: 0, 1, …       | first seq of the page, ≥ 0     | item-codec.ts         |
 * | a chunk's end               | the chunk                | -1                             | chunk-end.ts          |
 * | a chunk's progress count    | the chunk                | -2                             | chunk-progress.ts     |
 * | the source budget's state   | -1                       | 0                              | budget/state-item.ts  |
 * | record page                 | -2 - chunk: -2, -3, …    | first seq of the page          | item-codec.ts         |
 *
 * - A result page holds up to RESULT_PAGE consecutive records' results of one child's slice,
 *   put by that child once every record of the page has its result. Packed for the reasons
 *   records are: one result an item made the children's writes a fifth of a 20,000-record
 *   run's time on the emulator (bench/results.md).
 * - A chunk's end and progress count sit below its result pages, so a Query of seqs from
 *   FIRST_RESULT_SEQ up reads result pages only.
 * - A record page holds up to RECORD_PAGE records, put by ingest. Packed because DynamoDB
 *   meters writes per KB rounded up per item: a 250-byte record alone costs a whole write unit,
 *   100 of them in one item 25; and the emulator's cost is per item too.
 * - The budget's partition, -1, lies between the chunks' (0 and up) and the records' (-2 and
 *   down), so no partition of one kind is another's; the report never reads it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** The table's key attributes: partition key and sort key, both numbers. */
export const PARTITION_KEY = 'chunk';
export const SORT_KEY = 'seq';

function key(partition: number, seq: number): Item {
  return { [PARTITION_KEY]: { N: String(partition) }, [SORT_KEY]: { N: String(seq) } };
}

/** The lowest seq of a result page: a chunk's own items (end, progress) sit below it. */
export const FIRST_RESULT_SEQ = 0;

/** The result page of `chunk` whose first record is `firstSeq`. */
export function resultPageKey(chunk: number, firstSeq: number): Item {
  return key(chunk, firstSeq);
}

const CHUNK_END_SEQ = -1;
const CHUNK_PROGRESS_SEQ = -2;

/** Where a chunk's array job's end is put (chunk-end.ts). */
export function chunkEndKey(chunk: number): Item {
  return key(chunk, CHUNK_END_SEQ);
}

/** Where a chunk's children count what they have written (chunk-progress.ts). */
export function chunkProgressKey(chunk: number): Item {
  return key(chunk, CHUNK_PROGRESS_SEQ);
}

/** The partition of the source budget (budget/state-item.ts). */
export const BUDGET_PARTITION = -1;
/** The budget's one item: shared state, the token bucket and every child's concurrency lease. */
export const BUDGET_STATE_SEQ = 0;

export function budgetKey(seq: number = BUDGET_STATE_SEQ): Item {
  return key(BUDGET_PARTITION, seq);
}

/** The partition of a chunk's record pages: -2, -3, …, below the budget's -1. */
export function recordsPartition(chunk: number): number {
  return BUDGET_PARTITION - 1 - chunk;
}

/** The record page of `chunk` whose first record is `firstSeq`. */
export function recordPageKey(chunk: number, firstSeq: number): Item {
  return key(recordsPartition(chunk), firstSeq);
}
