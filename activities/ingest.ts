import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CancelledFailure, Context } from '@temporalio/activity';
import { readCustomerSheet, SheetError } from '../sheet/index.js';
import type { CustomerRecord } from '../sheet/types.js';
import { childCount, encodeChunk } from '../run-data/chunk-format.js';
import { RECORD_PAGE, recordPageItem, type Item } from '../run-data/item-codec.js';
import { chunkKeys, rejectedKey, type RunResources } from '../run-data/names.js';
import { createRunTable, WRITE_BATCH, writeBatch } from '../run-data/run-table.js';
import { BoundedPool } from '../concurrency/bounded-pool.js';
import { chunkReadySignal, type ChunkRef } from '../contracts/credit-check.js';
import type { ActivityDeps } from './deps.js';
import { signalRun } from './signal-run.js';
import { planFromConfig } from './plan-fan-out.js';
import type { FanOutPlan } from '../budget/fan-out-plan.js';
import { failPermanently } from './failures.js';
import { downloadToFile, uploadFile, withTempDir } from '../storage/s3-files.js';
import type { IngestResult } from './types.js';

/**
 * Batch writes (of 25 pages, 2,500 records) kept in flight at once. On AWS, what exceeds the
 * table's capacity comes back unprocessed and is retried with backoff (writeBatch).
 */
const WRITES_IN_FLIGHT = 8;

const isSheetError = (err: unknown): err is SheetError => err instanceof SheetError;

/**
 * Streams the workbook into the run table and the chunk objects, and tells the run of each
 * chunk as it is stored. Every write is a put of the same item, so a retried attempt simply
 * does it again, and tells of the same chunks again.
 */
export function ingestActivity(deps: ActivityDeps) {
  const { aws, config, tmpDir } = deps;
  return async function ingest({ resources, key, plan }: { resources: RunResources; key: string; plan?: FanOutPlan }): Promise<IngestResult> {
    const { s3, dynamodb } = aws;
    const { chunkSize } = config.batch;
    // The run's plan (planFanOut); a run started before plans existed plans from the settings alone.
    const { recordsPerChild, childConcurrency } = plan ?? planFromConfig(config);
    return withTempDir(tmpDir, async (dir) => {
      const path = join(dir, 'upload.xlsx');
      await downloadToFile(s3, resources.bucket, key, path);
      await createRunTable(dynamodb, resources.table, resources.runId);

      const writes = new BoundedPool(WRITES_IN_FLIGHT);
      const write = (batch: Item[]) => writes.add(() => writeBatch(dynamodb, resources.table, batch));

      const chunks: ChunkRef[] = [];
      let chunk: CustomerRecord[] = [];
      let page: CustomerRecord[] = [];
      let items: Item[] = [];
      // A page never spans two chunks: a chunk's pages start at its first seq.
      const flushPage = async () => {
        if (!page.length) return;
        items.push(recordPageItem(chunks.length, page));
        page = [];
        if (items.length === WRITE_BATCH) {
          await write(items);
          items = [];
        }
      };
      // A chunk is closed with its last page and every write of its pages under way.
      const flushChunk = async () => {
        if (!chunk.length) return;
        await flushPage();
        if (items.length) await write(items);
        items = [];
        const index = chunks.length;
        const keys = chunkKeys(resources, index);
        const encoded = encodeChunk(index, chunk, recordsPerChild);
        await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: keys.key, Body: encoded.body, ContentType: 'application/x-ndjson' }));
        await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: keys.indexKey, Body: JSON.stringify(encoded.index), ContentType: 'application/json' }));
        const ref: ChunkRef = { index, ...keys, count: chunk.length, firstSeq: chunk[0]!.seq, children: childCount(chunk.length, recordsPerChild), childConcurrency };
        chunks.push(ref);
        chunk = [];
        const ctx = Context.current();
        ctx.heartbeat({ records: chunks.reduce((n, c) => n + c.count, 0) });
        // The run waits for a cancelled ingest to stop (its compensation removes what ingest
        // wrote), so stop at the next chunk, once the writes under way have landed.
        if (ctx.cancellationSignal.aborted) {
          await writes.drain();
          throw new CancelledFailure('ingest cancelled');
        }
        // Its children read the chunk's objects only (the report reads the table), so its array job can start now.
        await signalRun(deps, chunkReadySignal, ref);
      };

      const rejectedPath = join(dir, 'rejected.jsonl');
      const rejectedOut = createWriteStream(rejectedPath);
      let rejected = 0;
      let total = 0;
      let sheetName = '';
      let extraColumns: string[] = [];
      let columns: string[] = [];
      try {
        for await (const item of readCustomerSheet(path, config.sheet)) {
          if (item.kind === 'header') {
            sheetName = item.sheetName;
            extraColumns = item.extraColumns;
            columns = item.columns;
          } else if (item.kind === 'rejected') {
            rejected++;
            if (!rejectedOut.write(JSON.stringify(item.rejected) + '\n')) await once(rejectedOut, 'drain');
          } else {
            total++;
            chunk.push(item.record);
            page.push(item.record);
            if (page.length === RECORD_PAGE) await flushPage();
            if (chunk.length === chunkSize) await flushChunk();
          }
        }
      } catch (err) {
        failPermanently(err, isSheetError);
      } finally {
        rejectedOut.end();
        await once(rejectedOut, 'close');
      }
      await flushChunk();
      await writes.drain();

      const rejKey = rejectedKey(resources);
      await uploadFile(s3, resources.bucket, rejKey, rejectedPath, 'application/x-ndjson');
      return { total, rejected, sheetName, columns, extraColumns, chunks, rejectedKey: rejKey };
    });
  };
}
