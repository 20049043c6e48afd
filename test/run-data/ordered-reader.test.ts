import { describe, expect, it } from '@jest/globals';
import { RECORD_PAGE, recordPageItem, resultPageItem } from '../../run-data/item-codec.js';
import type { CustomerResult } from '../../rating/types.js';
import { readInOrder } from '../../run-data/ordered-reader.js';
import { putChunkEnd } from '../../run-data/chunk-end.js';
import { addChunkProgress } from '../../run-data/chunk-progress.js';
import { writeBatch } from '../../run-data/run-table.js';
import { budgetKey } from '../../budget/state-item.js';
import type { CustomerRecord } from '../../sheet/types.js';
import { dynaliteForSuite } from '../support/dynalite.js';

const db = dynaliteForSuite();

const result = (seq: number): CustomerResult => ({ status: 'FOUND', rating: 'A', parcelIds: [`P-${seq}`], totalDueCents: seq, delinquentYears: 0, attempts: 1, checkedAt: '2026-12-02T00:00:00.000Z' });
const record = (seq: number): CustomerRecord => ({ seq, row: seq + 2, customerId: `C${seq}`, name: `Name ${seq}`, searchName: 'N', parcelId: '', county: 'X', state: '', email: '', extra: {} });

const seqs = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
/** A result page of chunk 0 for seqs from … from + n - 1. */
const page = (from: number, n: number) => resultPageItem(0, seqs(from, n).map((seq) => ({ seq, result: result(seq) })));

describe('readInOrder', () => {
  it('reads every record with its result in input order, a range at a time, and marks where each chunk ends', async () => {
    const table = await db.table('ordered');
    const chunks = [
      { index: 0, firstSeq: 0, count: 230 },
      { index: 1, firstSeq: 230, count: 70 },
    ];
    const pages = chunks.flatMap((c) =>
      Array.from({ length: Math.ceil(c.count / RECORD_PAGE) }, (_, p) => {
        const first = c.firstSeq + p * RECORD_PAGE;
        const n = Math.min(RECORD_PAGE, c.firstSeq + c.count - first);
        return recordPageItem(c.index, Array.from({ length: n }, (_, i) => record(first + i)));
      }),
    );
    // Children of 30 records: result pages start every 30 seqs, across the reader's ranges of 100.
    // Every record but those of seqs 0-29 and 260-289 has a result (those two children failed for good).
    const results = chunks.flatMap((c) =>
      Array.from({ length: Math.ceil(c.count / 30) }, (_, p) => c.firstSeq + 30 * p)
        .filter((first) => first !== 0 && first !== 260)
        .map((first) => resultPageItem(c.index, Array.from({ length: Math.min(30, c.firstSeq + c.count - first) }, (_, i) => ({ seq: first + i, result: result(first + i) })))),
    );
    // Written out of order, with the budget's item beside them: it must not show in what is read.
    const items = [...results, ...pages].reverse();
    items.push({ ...budgetKey(0), limit: { N: '5' } });
    for (let i = 0; i < items.length; i += 25) await writeBatch(db.ddb, table, items.slice(i, i + 25));

    const read = [];
    for await (const page of readInOrder(db.ddb, table, chunks, { rangeSize: 100, ahead: 2 })) read.push(page);
    expect(read.map((p) => [p.chunk, p.rows.length, p.lastOfChunk])).toEqual([
      [0, 100, false],
      [0, 100, false],
      [0, 30, true],
      [1, 70, true],
    ]);
    const rows = read.flatMap((p) => p.rows);
    expect(rows.map((r) => r.record)).toEqual(Array.from({ length: 300 }, (_, seq) => record(seq)));
    const failed = (seq: number) => seq < 30 || (seq >= 260 && seq < 290);
    expect(rows.map((r) => r.result)).toEqual(rows.map((r) => (failed(r.record.seq) ? undefined : result(r.record.seq))));
  });

  it('follows a chunk as its job runs: a range with results missing is read again until they land or the chunk has ended', async () => {
    const table = await db.table('ordered-follow');
    const chunk = { index: 0, firstSeq: 0, count: 200 };
    await writeBatch(db.ddb, table, [recordPageItem(0, seqs(0, 100).map(record)), recordPageItem(0, seqs(100, 100).map(record))]);
    // Slices of 50: the first range is whole, the second has one slice of its two.
    await writeBatch(db.ddb, table, [page(0, 50), page(50, 50), page(100, 50)]);

    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
      // While the reader waits, the job goes on: 30 more results, then the job ends (the last child failed for good).
      if (waits.length === 2) {
        await writeBatch(db.ddb, table, [page(150, 30)]);
        await putChunkEnd(db.ddb, table, 0, { status: 'FAILED', createdAt: 1, stoppedAt: 2 });
      }
    };
    const read = [];
    for await (const p of readInOrder(db.ddb, table, [chunk], { rangeSize: 100, ahead: 0, follow: { wait, maxWaitMs: 150 } })) read.push(p);
    expect(waits).toEqual([100, 150]);
    const rows = read.flatMap((p) => p.rows);
    expect(rows.map((r) => r.record.seq)).toEqual(seqs(0, 200));
    expect(rows.map((r) => r.result)).toEqual(rows.map((r) => (r.record.seq < 180 ? result(r.record.seq) : undefined)));
  });

  it('reads a followed range again once the chunk\'s progress count has moved, not before', async () => {
    const table = await db.table('ordered-progress');
    const chunk = { index: 0, firstSeq: 0, count: 100 };
    await writeBatch(db.ddb, table, [recordPageItem(0, seqs(0, 100).map(record)), page(0, 50)]);
    await addChunkProgress(db.ddb, table, 0, { written: 50, errors: 0 });

    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
      // The first look reads the range again (no count seen yet) and notes the count. The second
      // slice's page lands during the second wait, its count during the third: a reader that looks
      // at the count takes the page after the third wait, not the second. No chunk end is put.
      if (waits.length === 2) await writeBatch(db.ddb, table, [page(50, 50)]);
      if (waits.length === 3) await addChunkProgress(db.ddb, table, 0, { written: 50, errors: 0 });
    };
    const read = [];
    for await (const p of readInOrder(db.ddb, table, [chunk], { rangeSize: 100, ahead: 0, follow: { wait, maxWaitMs: 150 } })) read.push(p);
    expect(waits).toEqual([100, 150, 150]);
    expect(read.flatMap((p) => p.rows).map((r) => r.result)).toEqual(seqs(0, 100).map(result));
  });

  it('refuses a range whose records are not all in the table', async () => {
    const table = await db.table('ordered-short');
    await writeBatch(db.ddb, table, [recordPageItem(0, Array.from({ length: 40 }, (_, i) => record(i)))]);
    const reading = readInOrder(db.ddb, table, [{ index: 0, firstSeq: 0, count: 50 }]);
    await expect(reading.next()).rejects.toThrow('the run table holds 40 records of chunk 0 seqs 0-49, not 50: ingest did not finish');
  });

  it('takes only ranges that are whole pages', async () => {
    await expect(readInOrder(db.ddb, 'any', [], { rangeSize: 150 }).next()).rejects.toThrow(RangeError);
  });

  it('fails with the read that failed', async () => {
    const reading = readInOrder(db.ddb, 'no-such-table', [{ index: 0, firstSeq: 0, count: 10 }]);
    await expect(reading.next()).rejects.toThrow(/not found|non-existent|ResourceNotFound/i);
  });
});
