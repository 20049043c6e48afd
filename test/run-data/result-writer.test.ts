import { describe, expect, it } from '@jest/globals';
import { decodeRecordPage, decodeResultPage, recordPageItem } from '../../run-data/item-codec.js';
import { recordsPartition } from '../../run-data/table-layout.js';
import { createResultWriter, IncompletePagesError } from '../../run-data/result-writer.js';
import { resultTotals } from '../../run-data/result-totals.js';
import { putChunkEnd, readChunkEnds } from '../../run-data/chunk-end.js';
import { readChunkProgress } from '../../run-data/chunk-progress.js';
import { resultsWritten } from '../../run-data/results-written.js';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { writeBatch } from '../../run-data/run-table.js';
import type { CustomerResult } from '../../rating/types.js';
import type { CustomerRecord } from '../../sheet/types.js';
import { eventually } from '../support/eventually.js';
import { dynaliteForSuite } from '../support/dynalite.js';

const db = dynaliteForSuite();

const record = (seq: number): CustomerRecord => ({ seq, row: seq + 2, customerId: `C${seq}`, name: `Name ${seq}`, searchName: 'N', parcelId: '', county: 'X', state: '', email: '', extra: { Note: `n${seq}` } });

const result = (seq: number, attempts: number): CustomerResult => ({
  status: 'FOUND',
  rating: seq % 7 === 3 ? 'ERROR' : 'B',
  parcelIds: [`12-345-${String(seq).padStart(3, '0')}`],
  totalDueCents: 100 * seq,
  delinquentYears: 0,
  attempts,
  checkedAt: '2026-11-23T18:00:00.000Z',
});

/** The pages of a partition in seq order, without the chunk's own items below seq 0: the test's tables hold less than a 1 MB page. */
async function chunkItems(table: string, chunk: number) {
  const page = await db.ddb.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'chunk = :c AND seq >= :first', ExpressionAttributeValues: { ':c': { N: String(chunk) }, ':first': { N: '0' } }, ConsistentRead: true }),
  );
  expect(page.LastEvaluatedKey).toBeUndefined();
  return page.Items ?? [];
}

const seqs = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('createResultWriter', () => {
  it('puts a page of 100 results once all its records have one, whatever order they land in, leaving the records as ingest wrote them', async () => {
    const table = await db.table('writer');
    const records = seqs(1_000, 250).map(record);
    await writeBatch(db.ddb, table, [recordPageItem(3, records.slice(0, 100)), recordPageItem(3, records.slice(100, 200)), recordPageItem(3, records.slice(200))]);

    const writer = createResultWriter({ ddb: db.ddb, table, chunk: 3, slice: records.map((r) => r.seq), lingerMs: 60_000 });
    // Landing out of order, as lookups do: odd seqs first, then even ones, backwards.
    const landing = [...records.filter((r) => r.seq % 2 === 1), ...records.filter((r) => r.seq % 2 === 0).reverse()];
    for (const r of landing) await writer.add(r, result(r.seq, 1));
    expect(await writer.close()).toEqual({ written: 250 });

    const items = await chunkItems(table, 3);
    expect(items.map((item) => [Number(item.seq!.N), Number(item.n!.N)])).toEqual([[1_000, 100], [1_100, 100], [1_200, 50]]);
    expect(items.flatMap(decodeResultPage)).toEqual(records.map((r) => ({ seq: r.seq, result: result(r.seq, 1) })));
    expect((await chunkItems(table, recordsPartition(3))).flatMap(decodeRecordPage)).toEqual(records);
    const errors = records.filter((r) => r.seq % 7 === 3).length;
    expect(errors).toBe(36);
    expect(await resultTotals(db.ddb, table, 3)).toEqual({ done: 250, errors });
    // The hint for the job's watcher and the run's progress counts what was written, and the errors among it.
    expect(await readChunkProgress(db.ddb, table, 3)).toEqual({ written: 250, errors });
    // The chunk's end, beside its result pages, is no result.
    await putChunkEnd(db.ddb, table, 3, { status: 'SUCCEEDED', createdAt: 10, stoppedAt: 20 });
    expect(await resultTotals(db.ddb, table, 3)).toEqual({ done: 250, errors });
    expect(await readChunkEnds(db.ddb, table, [2, 3])).toEqual(new Map([[3, { status: 'SUCCEEDED', createdAt: 10, stoppedAt: 20 }]]));
  });

  it('writes a full page within its linger time, and nothing of a page that is not full', async () => {
    const table = await db.table('writer-linger');
    const slice = seqs(0, 150);
    const writer = createResultWriter({ ddb: db.ddb, table, chunk: 0, slice, lingerMs: 50 });
    for (const seq of slice.slice(0, 120)) await writer.add(record(seq), result(seq, 2));
    const items = await eventually('the full page in the table', async () => {
      const found = await chunkItems(table, 0);
      return found.length > 0 && found;
    });
    expect(items.flatMap(decodeResultPage).map((r) => r.seq)).toEqual(seqs(0, 100));
    await expect(writer.close()).rejects.toThrow(new IncompletePagesError('1 result pages of chunk 0 were not written: 30 of their records have no result'));
    expect(await resultsWritten(db.ddb, table, 0, slice)).toEqual(new Set(seqs(0, 100)));
  });

  it('a retried child given the records still to do fills the pages its first attempt left, under the same keys', async () => {
    const table = await db.table('writer-again');
    const slice = seqs(500, 230);
    const first = createResultWriter({ ddb: db.ddb, table, chunk: 1, slice });
    // The first attempt dies after 150 results: page 500 is written, page 600 is not.
    for (const seq of slice.slice(0, 150)) await first.add(record(seq), result(seq, 1));
    await first.close().catch(() => undefined);
    const done = await resultsWritten(db.ddb, table, 1, slice);
    expect(done).toEqual(new Set(seqs(500, 100)));

    const retry = createResultWriter({ ddb: db.ddb, table, chunk: 1, slice });
    for (const seq of slice.filter((s) => !done.has(s))) await retry.add(record(seq), result(seq, 2));
    expect(await retry.close()).toEqual({ written: 130 });

    const items = await chunkItems(table, 1);
    expect(items.map((item) => Number(item.seq!.N))).toEqual([500, 600, 700]);
    // Both attempts added what they wrote: the count reaches the slice when the slice is done.
    expect(await readChunkProgress(db.ddb, table, 1)).toEqual({ written: 230, errors: slice.filter((s) => s % 7 === 3).length });
    const read = items.flatMap(decodeResultPage);
    expect(read.map((r) => r.seq)).toEqual(slice);
    expect(read.map((r) => r.result.attempts)).toEqual(slice.map((seq) => (seq < 600 ? 1 : 2)));
  });

  it('refuses a record that is not in its slice', async () => {
    const table = await db.table('writer-stranger');
    const writer = createResultWriter({ ddb: db.ddb, table, chunk: 0, slice: seqs(0, 10) });
    expect(() => writer.add(record(10), result(10, 1))).toThrow('seq 10 is not in the child\'s slice');
  });
});
