import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Context } from '@temporalio/activity';
import type { RejectedRow } from '../sheet/types.js';
import type { CustomerResult, ReportTotals } from '../rating/types.js';
import { openReportWriter, reportFileName, type ReportRow } from '../report/write-report.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ChunkRef } from '../contracts/credit-check.js';
import type { RunResources } from '../run-data/names.js';
import { readChunkEnds } from '../run-data/chunk-end.js';
import { readInOrder } from '../run-data/ordered-reader.js';
import type { ActivityDeps } from './deps.js';
import { downloadToFile, objectMetadata, uploadFile, withTempDir } from '../storage/s3-files.js';


/** User metadata on the report object that carries its totals, so a retry need not read it back. */
const TOTALS_METADATA = 'drover-totals';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface BuildReportInput {
  resources: RunResources;
  inputKey: string;
  chunks: ChunkRef[];
  rejectedKey: string;
  /** Rejected rows counted by ingest; the report checks it wrote as many. */
  rejected: number;
  /** The input's header texts, for the Rejected sheet's raw values. */
  columns: string[];
  extraColumns: string[];
  startedAt: string;
  /** Of the stages before the report; the scrape's is read from the chunks' ends. */
  stageSeconds: Record<string, number>;
}

export interface BuildReportResult {
  reportKey: string;
  totals: ReportTotals;
  /** Seconds the writer waited for rows, mostly for the children's results: the rest of the activity's time is its own work. */
  waitedSeconds: number;
}

/** The report reads a range with results missing again at most this often, so its tail after the last job is short. */
const FOLLOW_MAX_WAIT_MS = 250;

/** `incoming/east/may.xlsx` → `reports/east/credit-report-may-<run>.xlsx`. */
export function reportKey(inputKey: string, runId: string): string {
  const rest = inputKey.replace(/^incoming\//, '');
  const dir = rest.includes('/') ? rest.slice(0, rest.lastIndexOf('/') + 1) : '';
  return `reports/${dir}${reportFileName(inputKey, runId)}`;
}

/** A record whose child never wrote a result (the child failed every attempt) is reported, not dropped. */
function missingResult(): CustomerResult {
  return {
    status: 'ERROR',
    rating: 'ERROR',
    parcelIds: [],
    totalDueCents: 0,
    delinquentYears: 0,
    attempts: 0,
    checkedAt: new Date().toISOString(),
    error: 'no result: the Batch child for this record failed on every attempt',
  };
}

/** From the first array job's creation to the last one's end, as Batch told the activities that watched them. */
async function scrapeSeconds(ddb: DynamoDBClient, table: string, chunks: ChunkRef[]): Promise<number> {
  const ends = [...(await readChunkEnds(ddb, table, chunks.map((c) => c.index))).values()];
  if (ends.length === 0) return 0;
  return (Math.max(...ends.map((e) => e.stoppedAt)) - Math.min(...ends.map((e) => e.createdAt))) / 1000;
}

/** Reads the table chunk by chunk in input order, a few ranges ahead, so memory is bounded by those ranges, not by the run. */
export function buildReportActivity({ aws, tmpDir }: ActivityDeps) {
  return async function buildReport(input: BuildReportInput): Promise<BuildReportResult> {
    const { resources } = input;
    const ctx = Context.current();
    const key = reportKey(input.inputKey, resources.runId);
    // Produced once: an attempt retried after the upload finds the report and its totals in place.
    const existing = await objectMetadata(aws.s3, resources.bucket, key);
    if (existing?.[TOTALS_METADATA]) return { reportKey: key, totals: JSON.parse(existing[TOTALS_METADATA]) as ReportTotals, waitedSeconds: 0 };
    return withTempDir(tmpDir, async (dir) => {
      const path = join(dir, 'report.xlsx');
      const writer = await openReportWriter({ path, extraColumns: input.extraColumns, inputHeaders: input.columns, tempDir: dir });
      // The run starts the report while its array jobs run: it reads each chunk as the results
      // land. The wait is where a cancel of the run reaches the report (ctx.sleep throws).
      const follow = {
        maxWaitMs: FOLLOW_MAX_WAIT_MS,
        wait: (ms: number) => {
          ctx.heartbeat({ waiting: true });
          return ctx.sleep(ms);
        },
      };
      let waitedMs = 0;
      const pages = readInOrder(aws.dynamodb, resources.table, input.chunks, { follow });
      for (;;) {
        const waitStarted = Date.now();
        const next = await pages.next();
        waitedMs += Date.now() - waitStarted;
        if (next.done) break;
        const page = next.value;
        const rows: ReportRow[] = page.rows.map(({ record, result }) => ({ record, result: result ?? missingResult() }));
        await writer.addRows(rows);
        if (page.lastOfChunk) ctx.heartbeat({ chunk: page.chunk });
      }

      const rejectedPath = join(dir, 'rejected.jsonl');
      await downloadToFile(aws.s3, resources.bucket, input.rejectedKey, rejectedPath);
      let batch: RejectedRow[] = [];
      for await (const line of createInterface({ input: createReadStream(rejectedPath), crlfDelay: Infinity })) {
        if (!line) continue;
        batch.push(JSON.parse(line) as RejectedRow);
        if (batch.length === 1000) {
          await writer.addRejected(batch);
          batch = [];
        }
      }
      if (batch.length) await writer.addRejected(batch);

      const stageSeconds = { ...input.stageSeconds, scrape: await scrapeSeconds(aws.dynamodb, resources.table, input.chunks) };
      const totals = await writer.finish({
        runId: resources.runId,
        inputFile: input.inputKey,
        startedAt: new Date(input.startedAt),
        finishedAt: new Date(),
        stageSeconds,
        rejectedCount: input.rejected,
      });
      await uploadFile(aws.s3, resources.bucket, key, path, XLSX_TYPE, { [TOTALS_METADATA]: JSON.stringify(totals) });
      return { reportKey: key, totals, waitedSeconds: waitedMs / 1000 };
    });
  };
}
