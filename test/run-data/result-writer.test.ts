import { describe, expect, it } from '@jest/globals';
import { decodeRecordPage, decodeResult, recordPageItem, recordsPartition } from '../../run-data/item-codec.js';
import { createResultWriter } from '../../run-data/result-writer.js';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { countItems, writeBatch } from '../../run-data/run-table.js';
import type { CustomerResult } from '../../rating/types.js';
import type { CustomerRecord } from '../../sheet/types.js';
import { eventually } from '../support/eventually.js';
import { dynaliteForSuite } from '../support/dynalite.js';

const db = dynaliteForSuite();

const record = (seq: number): CustomerRecord => ({ seq, row: seq + 2, customerId: `C${seq}`, name: `Name ${seq}`, searchName: 'N', parcelId: '', county: 'X', state: '', email: '', extra: { Note: `n${seq}` } });

const result = (seq: number, attempts: number): CustomerResult => ({
  status: 'FOUND',
  rating: 'B',
  parcelIds: [`12-345-${String(seq).padStart(3, '0')}`],
  totalDueCents: 100 * seq,
  delinquentYears: 0,
  attempts,
  checkedAt: '2026-11-23T18:00:00.000Z',
});

/** A partition in seq order: the test's tables hold less than a 1 MB page. */
async function chunkItems(table: string, chunk: number) {
  const page = await db.ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'chunk = :c', ExpressionAttributeValues: { ':c': { N: String(chunk) } }, ConsistentRead: true }));
  expect(page.LastEvaluatedKey).toBeUndefined();
  return page.Items ?? [];
}

describe('createResultWriter', () => {
  it('writes every result under its record\'s seq, 25 to a batch and the rest on close, leaving the records as ingest wrote them', async () => {
    const table = await db.table('writer');
    const records = Array.from({ length: 60 }, (_, seq) => record(seq));
    await writeBatch(db.ddb, table, [recordPageItem(3, records.slice(0, 50)), recordPageItem(3, records.slice(50))]);

    const writer = createResultWriter({ ddb: db.ddb, table, chunk: 3, lingerMs: 60_000 });
    for (const r of records) await writer.add(r, result(r.seq, 1));
    expect(await writer.close()).toEqual({ written: 60 });

    const items = await chunkItems(table, 3);
    expect(items).toHaveLength(60);
    expect(items.map((item) => Number(item.seq!.N))).toEqual(records.map((r) => r.seq));
    expect(items.map((item) => decodeResult(item))).toEqual(records.map((r) => result(r.seq, 1)));
    expect((await chunkItems(table, recordsPartition(3))).flatMap(decodeRecordPage)).toEqual(records);
    expect(await countItems(db.ddb, table, 3)).toBe(60);
    expect(await countItems(db.ddb, table, 3, { FilterExpression: '#rating = :r', ExpressionAttributeNames: { '#rating': 'rating' }, ExpressionAttributeValues: { ':r': { S: 'B' } } })).toBe(60);
    expect(await countItems(db.ddb, table, 3, { FilterExpression: '#rating = :r', ExpressionAttributeNames: { '#rating': 'rating' }, ExpressionAttributeValues: { ':r': { S: 'ERROR' } } })).toBe(0);
  });

  it('writes a lone result within its linger time, without waiting for a full batch', async () => {
    const table = await db.table('writer-linger');
    const writer = createResultWriter({ ddb: db.ddb, table, chunk: 0, lingerMs: 50 });
    await writer.add(record(7), result(7, 2));
    const items = await eventually('the lone result in the table', async () => {
      const found = await chunkItems(table, 0);
      return found.length > 0 && found;
    });
    expect(items.map((item) => decodeResult(item))).toEqual([result(7, 2)]);
    expect(await writer.close()).toEqual({ written: 1 });
  });

  it('rewriting a result (a retried child) leaves one item per record', async () => {
    const table = await db.table('writer-again');
    for (const attempts of [1, 2]) {
      const writer = createResultWriter({ ddb: db.ddb, table, chunk: 1 });
      for (let seq = 0; seq < 30; seq++) await writer.add(record(seq), result(seq, attempts));
      await writer.close();
    }
    const items = await chunkItems(table, 1);
    expect(items.map((item) => Number(item.seq!.N))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(new Set(items.map((item) => decodeResult(item)!.attempts))).toEqual(new Set([2]));
  });
});
