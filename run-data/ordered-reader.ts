import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryPages } from './run-table.js';
import type { CustomerResult } from '../rating/types.js';
import type { CustomerRecord } from '../sheet/types.js';
import { readChunkEnds } from './chunk-end.js';
import { readChunkProgress } from './chunk-progress.js';
import { decodeRecordPage, RECORD_PAGE, type Item } from './item-codec.js';
import { recordsPartition } from './table-layout.js';
import { resultsInRange } from './results-written.js';

/** The part of a chunk the reader needs: its records are seqs firstSeq … firstSeq + count - 1. */
export interface ChunkSpan {
  index: number;
  firstSeq: number;
  count: number;
}

export interface OrderedReadOptions {
  /** Seqs one range reads (a Query of the records and one of the results): a multiple of RECORD_PAGE. Default 1000. */
  rangeSize?: number;
  /** Range queries in flight ahead of the one being consumed. Default 4. */
  ahead?: number;
  /**
   * Read the chunks while their array jobs run: a range with results missing is read again
   * until it is whole or its chunk's end is in the table (chunk-end.ts). Without it, the
   * results are taken as the table has them.
   */
  follow?: FollowOptions;
}

export interface FollowOptions {
  /** Waits `ms` before a range is read again: where the caller heartbeats, and is cancelled. */
  wait(ms: number): Promise<void>;
  /**
   * Longest wait between two looks at one range, in ms. Default 500: the report's tail after the
   * last job ends. A look reads the chunk's progress count, and the range only if the count moved.
   */
  maxWaitMs?: number;
}

/** A record with its result; no result: no child wrote one. */
export interface RecordRow {
  record: CustomerRecord;
  result: CustomerResult | undefined;
}

/** One seq range of one chunk, in input order. `lastOfChunk`: the chunk is complete with it. */
export interface OrderedPage {
  chunk: number;
  rows: RecordRow[];
  lastOfChunk: boolean;
}

interface Range {
  chunk: number;
  from: number;
  to: number;
  lastOfChunk: boolean;
}

function* ranges(chunks: ChunkSpan[], size: number): Generator<Range> {
  for (const c of chunks) {
    const end = c.firstSeq + c.count - 1;
    for (let from = c.firstSeq; from <= end; from += size) {
      const to = Math.min(from + size - 1, end);
      yield { chunk: c.index, from, to, lastOfChunk: to === end };
    }
  }
}

async function query(ddb: DynamoDBClient, table: string, partition: number, from: number, to: number): Promise<Item[]> {
  const items: Item[] = [];
  const pages = queryPages(ddb, {
    TableName: table,
    KeyConditionExpression: 'chunk = :c AND seq BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':c': { N: String(partition) }, ':from': { N: String(from) }, ':to': { N: String(to) } },
  });
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

async function readRange(ddb: DynamoDBClient, table: string, r: Range, follow: Follower | undefined): Promise<RecordRow[]> {
  // Ranges start at a chunk's first seq, every rangeSize seqs, as record pages do: the record
  // pages that start in the range are the range.
  const [pages, first] = await Promise.all([query(ddb, table, recordsPartition(r.chunk), r.from, r.to), resultsInRange(ddb, table, r.chunk, r.from, r.to)]);
  const records = pages.flatMap(decodeRecordPage);
  if (records.length !== r.to - r.from + 1 || records[0]?.seq !== r.from) {
    throw new Error(`the run table holds ${records.length} records of chunk ${r.chunk} seqs ${r.from}-${r.to}, not ${r.to - r.from + 1}: ingest did not finish`);
  }
  let results = first;
  // The chunk's progress count when the range was last read: the range is read again only once it moved.
  let seen = -1;
  for (let attempt = 0; follow && results.size < records.length; attempt++) {
    await follow.wait(Math.min(follow.maxWaitMs, 100 * 1.5 ** attempt));
    // Children add to the count after their pages are in, so a count seen has its pages in the read after it.
    const progress = await follow.progress(r.chunk);
    if (progress !== seen) {
      seen = progress;
      results = await resultsInRange(ddb, table, r.chunk, r.from, r.to);
    } else if (await follow.ended(r.chunk)) {
      // The count stood still and the job has ended (a crashed child's count may never come):
      // the end first, then the results, so what the job wrote before its end is in this read.
      results = await resultsInRange(ddb, table, r.chunk, r.from, r.to);
      break;
    }
  }
  return records.map((record) => ({ record, result: results.get(record.seq) }));
}

interface Follower {
  wait(ms: number): Promise<void>;
  maxWaitMs: number;
  ended(chunk: number): Promise<boolean>;
  /** The chunk's progress count (chunk-progress.ts); ranges of the chunk that look at once share one read. */
  progress(chunk: number): Promise<number>;
}

/**
 * Remembers the chunks seen ended, so each is looked up until it has ended and never after.
 * Once `stopped` aborts, the ranges read ahead stop waiting: a consumer that gave up leaves no poll behind.
 */
function follower(ddb: DynamoDBClient, table: string, options: FollowOptions, stopped: AbortSignal): Follower {
  const ended = new Set<number>();
  const reading = new Map<number, Promise<number>>();
  return {
    async wait(ms) {
      stopped.throwIfAborted();
      await options.wait(ms);
      stopped.throwIfAborted();
    },
    maxWaitMs: options.maxWaitMs ?? 500,
    progress(chunk) {
      let count = reading.get(chunk);
      if (!count) {
        count = readChunkProgress(ddb, table, chunk)
          .then((p) => p.written)
          .finally(() => reading.delete(chunk));
        reading.set(chunk, count);
      }
      return count;
    },
    async ended(chunk) {
      if (!ended.has(chunk) && (await readChunkEnds(ddb, table, [chunk])).has(chunk)) ended.add(chunk);
      return ended.has(chunk);
    },
  };
}

/**
 * Every record of the chunks with its result, in input order, with the next `ahead` seq ranges already being
 * read: the consumer (the report writer) then never waits on a round trip, and memory holds
 * at most `ahead + 1` ranges whatever the size of the run.
 */
export async function* readInOrder(ddb: DynamoDBClient, table: string, chunks: ChunkSpan[], options: OrderedReadOptions = {}): AsyncGenerator<OrderedPage> {
  const { rangeSize = 1000, ahead = 4 } = options;
  const stop = new AbortController();
  const follow = options.follow && follower(ddb, table, options.follow, stop.signal);
  if (!Number.isInteger(rangeSize) || rangeSize < RECORD_PAGE || rangeSize % RECORD_PAGE !== 0) {
    throw new RangeError(`rangeSize must be a multiple of ${RECORD_PAGE}, got ${rangeSize}`);
  }
  const pending = ranges(chunks, rangeSize);
  const queue: { range: Range; rows: Promise<RecordRow[]> }[] = [];
  const fill = () => {
    while (queue.length <= ahead) {
      const next = pending.next();
      if (next.done) return;
      const rows = readRange(ddb, table, next.value, follow);
      // Awaited in turn below; until then a failure must not count as unhandled.
      rows.catch(() => undefined);
      queue.push({ range: next.value, rows });
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      const { range, rows } = queue.shift()!;
      fill();
      yield { chunk: range.chunk, rows: await rows, lastOfChunk: range.lastOfChunk };
    }
  } finally {
    stop.abort(new Error('the ordered read was stopped'));
  }
}
