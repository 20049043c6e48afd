import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { decodeResult, itemKey, recordItem, resultUpdate } from '../../run-data/item-codec.js';
import { createResultWriter } from '../../run-data/result-writer.js';
import { queryChunk, writeBatch } from '../../run-data/run-table.js';
import type { CustomerResult } from '../../rating/types.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await moto?.close();
});

const result = (seq: number, attempts: number): CustomerResult => ({
  status: 'FOUND',
  rating: 'B',
  parcelIds: [`12-345-${String(seq).padStart(3, '0')}`],
  totalDueCents: 100 * seq,
  delinquentYears: 0,
  attempts,
  checkedAt: '2026-11-23T18:00:00.000Z',
});

describe('createResultWriter', () => {
  it('writes each result once, leaving results already there untouched', async () => {
    const table = await moto.table('writer');
    const records = Array.from({ length: 60 }, (_, seq) => recordItem(3, { seq, row: seq + 2, customerId: `C${seq}`, name: 'N', searchName: 'N', parcelId: '', county: 'X', state: '', email: '', extra: {} }));
    for (let i = 0; i < records.length; i += 25) await writeBatch(moto.ddb, table, records.slice(i, i + 25));
    // An earlier attempt of the child wrote five results already.
    for (const seq of [0, 7, 26, 50, 59]) {
      await moto.ddb.send(new UpdateItemCommand({ TableName: table, Key: itemKey(3, seq), ...resultUpdate(result(seq, 99)) }));
    }

    const writer = createResultWriter({ ddb: moto.ddb, table, chunk: 3 });
    for (let seq = 0; seq < 60; seq++) await writer.add(seq, result(seq, 1));
    expect(await writer.close()).toEqual({ written: 55, skipped: 5 });

    const items = [];
    for await (const page of queryChunk(moto.ddb, table, 3)) items.push(...page);
    const attempts = items.map((item) => decodeResult(item)!.attempts);
    expect(attempts.filter((a) => a === 99)).toHaveLength(5);
    expect(attempts.filter((a) => a === 1)).toHaveLength(55);
    expect(decodeResult(items[42]!)).toEqual(result(42, 1));
  });

  it('refuses to write a result for a record the table does not hold', async () => {
    const table = await moto.table('writer-missing');
    const writer = createResultWriter({ ddb: moto.ddb, table, chunk: 0 });
    await writer.add(1, result(1, 1));
    const { written, skipped } = await writer.close();
    expect({ written, skipped }).toEqual({ written: 0, skipped: 1 });
  });
});
