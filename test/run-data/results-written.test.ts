import { describe, expect, it } from '@jest/globals';
import { recordPageItem, RESULT_PAGE, resultPageItem } from '../../run-data/item-codec.js';
import { resultsWritten } from '../../run-data/results-written.js';
import { writeBatch } from '../../run-data/run-table.js';
import type { CustomerResult } from '../../rating/types.js';
import type { CustomerRecord } from '../../sheet/types.js';
import { dynaliteForSuite } from '../support/dynalite.js';

const db = dynaliteForSuite();

const record = (seq: number): CustomerRecord => ({ seq, row: seq + 2, customerId: `C${seq}`, name: `Name ${seq}`, searchName: 'N', parcelId: '', county: 'X', state: '', email: '', extra: {} });
const result: CustomerResult = { status: 'NOT_FOUND', rating: 'NOT_FOUND', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts: 1, checkedAt: '2026-12-02T18:00:00.000Z' };

/** Result pages of up to 100 of `seqs` each, in order. */
async function put(table: string, chunk: number, seqs: number[], res: CustomerResult = result): Promise<void> {
  const pages = [];
  for (let i = 0; i < seqs.length; i += RESULT_PAGE) pages.push(resultPageItem(chunk, seqs.slice(i, i + RESULT_PAGE).map((seq) => ({ seq, result: res }))));
  for (let i = 0; i < pages.length; i += 25) await writeBatch(db.ddb, table, pages.slice(i, i + 25));
}

describe('resultsWritten', () => {
  it('finds the results among the seqs asked for, and none of other seqs, chunks or the record pages', async () => {
    const table = await db.table('written');
    const slice = Array.from({ length: 300 }, (_, i) => 10_000 + 2 * i); // not consecutive: every other seq
    await put(table, 1, [10_000, 10_001, 10_002]); // 10_001 is not in the slice
    await put(table, 1, [10_598, 10_600]); // 10_600 is not in the slice
    await put(table, 1, [9_999]); // a page before the slice's range
    await put(table, 2, [10_004]); // another chunk's
    await writeBatch(db.ddb, table, [recordPageItem(1, slice.slice(0, 100).map(record))]);
    expect([...(await resultsWritten(db.ddb, table, 1, slice))].sort((a, b) => a - b)).toEqual([10_000, 10_002, 10_598]);
  });

  it('is empty for a first attempt and for no seqs', async () => {
    const table = await db.table('none');
    expect(await resultsWritten(db.ddb, table, 0, [1, 2, 3])).toEqual(new Set());
    expect(await resultsWritten(db.ddb, table, 0, [])).toEqual(new Set());
  });

  it('follows the Query past its 1 MB pages', async () => {
    const table = await db.table('pages');
    const big: CustomerResult = { ...result, rating: 'ERROR', status: 'ERROR', error: 'x'.repeat(2_000) };
    const seqs = Array.from({ length: 1_200 }, (_, i) => i);
    await put(table, 0, seqs, big);
    expect((await resultsWritten(db.ddb, table, 0, seqs)).size).toBe(1_200);
  });
});
