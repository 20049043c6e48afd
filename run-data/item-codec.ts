/** The record pages and result pages of the run table: what they hold. Where they sit is table-layout.ts's to say. */
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult } from '../rating/types.js';
import { recordPageKey, resultPageKey, type Item } from './table-layout.js';

export type { Item };

/** Records of a page: a chunk's pages start at its first seq, every RECORD_PAGE seqs. */
export const RECORD_PAGE = 100;

/** One page of consecutive records of one chunk. */
export function recordPageItem(chunk: number, records: CustomerRecord[]): Item {
  if (records.length === 0 || records.length > RECORD_PAGE) throw new RangeError(`a record page holds 1 to ${RECORD_PAGE} records, not ${records.length}`);
  return { ...recordPageKey(chunk, records[0]!.seq), recs: { S: JSON.stringify(records) } };
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
    ...resultPageKey(chunk, results[0]!.seq),
    n: { N: String(results.length) },
    errors: { N: String(errors) },
    res: { S: JSON.stringify(results.map((r) => [r.seq, r.result])) },
  };
}

export function decodeResultPage(item: Item): SeqResult[] {
  const entries = JSON.parse(item.res?.S ?? '[]') as [number, CustomerResult][];
  return entries.map(([seq, result]) => ({ seq, result }));
}
