import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetSendQuotaCommand } from '@aws-sdk/client-ses';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { emailsOfRun } from '../cli/mailbox.js';
import { uploadWorkbook } from '../cli/upload.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../config/aws-clients.js';
import { customersIter } from '../portal/dataset.js';
import { writeCustomerWorkbook } from '../samples/generate-workbook.js';
import { startStack } from '../stack/stack.js';
import { isolatedStackEnv } from '../stack/isolated-env.js';
import type { CreditCheckResult } from '../workflows/definitions.js';
import { runBaseline } from './baseline.js';
import { BenchError } from './errors.js';
import { historyTimes, stageSeconds, STAGE_ACTIVITIES, type HistoryEventLike, type HistoryStage } from './history-stages.js';
import type { ConcurrencyPlan } from './plan.js';
import { portalStats } from './portal-stats.js';
import { cpuDelta, cpuSnapshot } from './proc-cpu.js';
import { sampleChildRss, vmHwmKb } from './proc-rss.js';

export interface RunOptions {
  /** Repository root (dist/, .venv/). */
  root: string;
  records: number;
  latencyMs: number;
  concurrency: number;
  plan: ConcurrencyPlan;
  /** DROVER_OVERLAP_STAGES: false runs the stages one after another (--serial). */
  overlapStages: boolean;
  /** Progress lines (stderr). */
  say: (line: string) => void;
  /** Echo the stack's own lines too. */
  verbose: boolean;
}

export interface BenchFigures {
  records: number;
  latencyMs: number;
  concurrency: number;
  /** DROVER_BATCH_VCPUS, TAX_SOURCE_CHILD_CONCURRENCY, DROVER_RECORDS_PER_CHILD the run used. */
  children: number;
  perChild: number;
  recordsPerChild: number;
  /** DROVER_OVERLAP_STAGES the run used: with false (--serial) no stage shares the machine with another. */
  overlapStages: boolean;
  /** Customers the report counts. */
  customers: number;
  generateSeconds: number;
  /** From the start of the upload to the email's arrival in the outbox. */
  wallSeconds: number;
  uploadSeconds: number;
  /** From the end of the upload to the workflow's start: S3 notification, SQS, trigger. */
  triggerSeconds: number;
  /**
   * From the history: first activity of the stage scheduled to its last one completed. Ingest,
   * scrape and report overlap, so these do not add up to the wall time; the report's figure is
   * its own work, its span less the time it waited for results still being scraped.
   */
  stageSeconds: Record<HistoryStage, number>;
  /** What the report adds after the last array job ends: its share of the wall time. */
  reportTailSeconds: number;
  recordsPerSecond: number;
  ingestRowsPerSecond: number;
  /** Records over the report's own work (stageSeconds.report). */
  reportRowsPerSecond: number;
  /** Requests the pipeline's portal counted. */
  requests: number;
  /** requests × latency ÷ concurrency. */
  idealSeconds: number;
  ratioToIdeal: number;
  scrapeRatioToIdeal: number;
  naiveSeconds: number;
  naiveRequests: number;
  naivePeakInFlight: number;
  ratioToNaive: number;
  scrapeRatioToNaive: number;
  peakInFlight: number;
  inFlightCap: number;
  workerPeakRssMb: number;
  childPeakRssMb: number;
  /** Children the /proc sampler saw, and from the first one's start to the last one's exit. */
  childrenSeen: number;
  childrenSeconds: number;
  historyEvents: number;
  emailConfirmed: boolean;
  /** Size of the report workbook; over DROVER_MAIL_ATTACH_MAX_BYTES the email links it instead of attaching it. */
  reportBytes: number;
  reportAttached: boolean;
  /** CPU seconds per stack process from the upload to the end of the run; `children` is every array child together. */
  cpuSeconds: Record<string, number>;
}

function stackEnv(home: string, o: RunOptions): NodeJS.ProcessEnv {
  // A developer's own stack must not be what the bench measures.
  return {
    ...isolatedStackEnv(home),
    DROVER_PORTAL_LATENCY_MS: String(o.latencyMs),
    DROVER_PORTAL_FAULT_RATE: '0',
    DROVER_BATCH_VCPUS: String(o.plan.children),
    TAX_SOURCE_CHILD_CONCURRENCY: String(o.plan.perChild),
    TAX_SOURCE_MAX_CONCURRENCY: String(o.concurrency),
    DROVER_RECORDS_PER_CHILD: String(o.plan.recordsPerChild),
    DROVER_MAX_ARRAY_JOBS: String(o.plan.maxArrayJobs),
    DROVER_OVERLAP_STAGES: String(o.overlapStages),
    // The tests' poll start; the DescribeJobs backoff still grows from it (see results.md).
    DROVER_BATCH_POLL_SECONDS: process.env.DROVER_BATCH_POLL_SECONDS ?? '0.2',
  };
}

async function sentCount(aws: AwsClients): Promise<number> {
  return (await aws.ses.send(new GetSendQuotaCommand({}))).SentLast24Hours ?? 0;
}

async function handleOf(client: Client, runId: string): Promise<WorkflowHandle> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const handle = client.workflow.getHandle(runId);
    try {
      await handle.describe();
      return handle;
    } catch (cause) {
      if (Date.now() > deadline) throw new BenchError(`the trigger did not start run ${runId} within 120 s`, 'BENCH_TIMEOUT', { cause });
    }
    await sleep(100);
  }
}

/** Largest maxRssKb the children printed on their last line (workers/child.ts), in KiB. */
function childLogPeakKb(root: string, jobIds: string[]): number {
  let peak = 0;
  for (const jobId of jobIds) {
    const dir = join(root, '.drover', 'batch-logs', jobId);
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/"maxRssKb":(\d+)/g)) peak = Math.max(peak, Number(m[1]));
    }
  }
  return peak;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One measured run: a fresh stack, the upload, the run to its email, then the naive baseline. */
export async function runOnce(o: RunOptions): Promise<BenchFigures> {
  const home = mkdtempSync(join(tmpdir(), 'drover-bench-'));
  const file = join(home, `bench-${o.records}.xlsx`);
  try {
    o.say(`generating a workbook of ${o.records} customers`);
    const genStart = performance.now();
    await writeCustomerWorkbook(file, customersIter(o.records), { messy: false });
    const generateSeconds = (performance.now() - genStart) / 1000;

    o.say('starting the embedded stack');
    const stack = await startStack({ root: o.root, env: stackEnv(home, o), worker: true, say: o.verbose ? o.say : () => undefined });
    let connection: Connection | undefined;
    let aws: AwsClients | undefined;
    let stopped = false;
    const stopStack = async () => {
      if (stopped) return;
      stopped = true;
      await stack.stop();
    };
    try {
      connection = await Connection.connect({ address: stack.file.temporal.address });
      const client = new Client({ connection, namespace: stack.file.temporal.namespace });
      aws = createAwsClients(stack.config);
      const workerPid = stack.services.get('worker')?.pid;
      const executorPid = stack.services.get('batch')?.pid;
      if (!workerPid || !executorPid) throw new BenchError('the stack has no worker or Batch executor process', 'BENCH_RUN_FAILED');
      const sampler = sampleChildRss({ executorPid });
      const pids = new Map([...stack.services].flatMap(([name, service]) => (service.pid ? [[name, service.pid] as const] : [])));
      const cpuBefore = cpuSnapshot(pids);
      const sentBefore = await sentCount(aws);

      o.say(`uploading and running ${o.records} records`);
      const t0 = Date.now();
      const { runId } = await uploadWorkbook(aws.s3, stack.file.aws.bucket, file, { key: `incoming/bench-${o.records}.xlsx`, notify: 'bench@ranch.example' });
      const uploadedAt = Date.now();
      const handle = await handleOf(client, runId);
      let failure: unknown;
      const result = (handle.result() as Promise<CreditCheckResult>).catch((err: unknown) => {
        failure = err;
        return undefined;
      });
      // SES's send count is cheap to poll; the outbox dump serialises every object moto holds.
      let emailAt: number | undefined;
      while (emailAt === undefined && failure === undefined) {
        if ((await sentCount(aws)) > sentBefore) emailAt = Date.now();
        else await sleep(100);
      }
      const outcome = await result;
      if (failure !== undefined || !outcome || emailAt === undefined) {
        throw new BenchError(`run ${runId} failed: ${failure instanceof Error ? failure.message : String(failure)}`, 'BENCH_RUN_FAILED', { cause: failure });
      }
      const children = sampler.stop();
      const cpuSeconds = cpuDelta(cpuBefore, cpuSnapshot(pids));
      const workerKb = vmHwmKb(workerPid) ?? 0;

      const history = await handle.fetchHistory();
      const times = historyTimes((history.events ?? []) as HistoryEventLike[]);
      const stages = stageSeconds(times);
      const jobIds = (times.results.runArrayJob ?? []).map((r) => (r as { jobId: string }).jobId);
      const childKb = Math.max(children.peakKb, childLogPeakKb(o.root, jobIds));
      const stats = await portalStats(stack.file.portal.url);
      // The outbox dump serialises all moto holds, and after a large run it can fail (HTTP 500
      // at 100,000 records); SES's send count then stands as the confirmation.
      const emailConfirmed = await emailsOfRun(stack.file.aws.endpoint, runId).then(
        (emails) => emails.length > 0,
        async (err: unknown) => {
          o.say(`the outbox could not be read (${err instanceof Error ? err.message : String(err)}); confirming by SES's send count`);
          return (await sentCount(aws!)) > sentBefore;
        },
      );

      const reportBytes = (await aws.s3.send(new HeadObjectCommand({ Bucket: stack.file.aws.bucket, Key: outcome.reportKey }))).ContentLength ?? 0;

      await connection.close();
      connection = undefined;
      destroyAwsClients(aws);
      aws = undefined;
      // The baseline runs on a quiet machine, as the pipeline did.
      await stopStack();

      o.say(`naive baseline: ${o.records} records at concurrency ${o.concurrency}`);
      const naive = await runBaseline(o.root, { records: o.records, latencyMs: o.latencyMs, concurrency: o.concurrency });

      const wallSeconds = (emailAt - t0) / 1000;
      const idealSeconds = (stats.requests * o.latencyMs) / 1000 / o.concurrency;
      const stageSecondsAll = Object.fromEntries(
        Object.keys(STAGE_ACTIVITIES).map((s) => [s, round(stages[s as HistoryStage] ?? 0)]),
      ) as Record<HistoryStage, number>;
      const scrape = stageSecondsAll.scrape;
      const waited = (times.results.buildReport?.[0] as { waitedSeconds?: number } | undefined)?.waitedSeconds ?? 0;
      stageSecondsAll.report = round(Math.max(0, (stages.report ?? 0) - waited));
      const { report: reportSpan, scrape: scrapeSpan } = times.stages;
      const reportTailSeconds = reportSpan ? (reportSpan.toMs - Math.max(reportSpan.fromMs, scrapeSpan?.toMs ?? 0)) / 1000 : 0;
      return {
        records: o.records,
        latencyMs: o.latencyMs,
        concurrency: o.concurrency,
        children: o.plan.children,
        perChild: o.plan.perChild,
        recordsPerChild: o.plan.recordsPerChild,
        overlapStages: o.overlapStages,
        customers: outcome.customers,
        generateSeconds: round(generateSeconds),
        wallSeconds: round(wallSeconds),
        uploadSeconds: round((uploadedAt - t0) / 1000),
        triggerSeconds: round((times.startedAtMs - uploadedAt) / 1000),
        stageSeconds: stageSecondsAll,
        reportTailSeconds: round(reportTailSeconds),
        recordsPerSecond: round(o.records / wallSeconds, 1),
        ingestRowsPerSecond: round(o.records / Math.max(stageSecondsAll.ingest, 0.001), 1),
        reportRowsPerSecond: round(o.records / Math.max(stageSecondsAll.report, 0.001), 1),
        requests: stats.requests,
        idealSeconds: round(idealSeconds),
        ratioToIdeal: round(idealSeconds > 0 ? wallSeconds / idealSeconds : 0),
        scrapeRatioToIdeal: round(idealSeconds > 0 ? scrape / idealSeconds : 0),
        naiveSeconds: round(naive.seconds),
        naiveRequests: naive.requests,
        naivePeakInFlight: naive.peakInFlight,
        ratioToNaive: round(wallSeconds / naive.seconds),
        scrapeRatioToNaive: round(scrape / naive.seconds),
        peakInFlight: stats.peakInFlight,
        inFlightCap: o.concurrency,
        workerPeakRssMb: round(workerKb / 1024, 1),
        childPeakRssMb: round(childKb / 1024, 1),
        childrenSeen: children.children,
        childrenSeconds: round(children.firstSeenMs !== undefined && children.lastSeenMs !== undefined ? (children.lastSeenMs - children.firstSeenMs) / 1000 : 0),
        historyEvents: times.events,
        emailConfirmed,
        reportBytes,
        reportAttached: reportBytes <= stack.config.aws.mailAttachMaxBytes,
        cpuSeconds,
      };
    } finally {
      await connection?.close();
      if (aws) destroyAwsClients(aws);
      await stopStack();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
