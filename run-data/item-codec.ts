import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CustomerRecord } from '../sheet/types.js';
import type { CustomerResult, Rating } from '../rating/types.js';

export type Item = Record<string, AttributeValue>;

/** The table's key: chunk (partition) and seq (sort), so a chunk reads back in input order with one Query. */
export function itemKey(chunk: number, seq: number): Item {
  return { chunk: { N: String(chunk) }, seq: { N: String(seq) } };
}

export function recordItem(chunk: number, record: CustomerRecord): Item {
  return { ...itemKey(chunk, record.seq), rec: { S: JSON.stringify(record) } };
}

/** The SET clause and values of a result; the condition that it is written once lives with the caller. */
export function resultUpdate(result: CustomerResult) {
  return {
    UpdateExpression:
      'SET rating = :rating, lookupStatus = :status, totalDueCents = :due, delinquentYears = :years, parcelIds = :parcels, attempts = :attempts, checkedAt = :at, lookupError = :error',
    ExpressionAttributeValues: {
      ':rating': { S: result.rating },
      ':status': { S: result.status },
      ':due': { N: String(result.totalDueCents) },
      ':years': { N: String(result.delinquentYears) },
      ':parcels': { S: JSON.stringify(result.parcelIds) },
      ':attempts': { N: String(result.attempts) },
      ':at': { S: result.checkedAt },
      ':error': { S: result.error ?? '' },
    } satisfies Item,
  };
}

/** The whole item of a record with its result: what a child puts, replacing the record-only item. */
export function resultItem(chunk: number, record: CustomerRecord, result: CustomerResult): Item {
  const item = recordItem(chunk, record);
  for (const [name, value] of Object.entries(resultUpdate(result).ExpressionAttributeValues)) item[RESULT_ATTRIBUTES[name]!] = value;
  return item;
}

/** resultUpdate's placeholders and the attributes they set. */
const RESULT_ATTRIBUTES: Record<string, string> = {
  ':rating': 'rating',
  ':status': 'lookupStatus',
  ':due': 'totalDueCents',
  ':years': 'delinquentYears',
  ':parcels': 'parcelIds',
  ':attempts': 'attempts',
  ':at': 'checkedAt',
  ':error': 'lookupError',
};

export function decodeRecord(item: Item): CustomerRecord {
  return JSON.parse(item.rec?.S ?? 'null') as CustomerRecord;
}

export function decodeResult(item: Item): CustomerResult | undefined {
  if (!item.rating?.S) return undefined;
  return {
    rating: item.rating.S as Rating,
    status: item.lookupStatus?.S as CustomerResult['status'],
    totalDueCents: Number(item.totalDueCents?.N ?? 0),
    delinquentYears: Number(item.delinquentYears?.N ?? 0),
    parcelIds: JSON.parse(item.parcelIds?.S ?? '[]') as string[],
    attempts: Number(item.attempts?.N ?? 0),
    checkedAt: item.checkedAt?.S ?? '',
    error: item.lookupError?.S || undefined,
  };
}
