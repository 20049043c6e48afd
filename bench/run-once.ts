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
import type { FanOutPlan } from '../budget/fan-out-plan.js';
import { SETTINGS } from '../config/settings.js';
import { portalStats } from './portal-stats.js';
import { cpuDelta, cpuSnapshot } from './proc-cpu.js';
import { sampleChildRss, vmHwmKb } from './proc-rss.js';

export interface RunOptions {
  /** Repository root (dist/, .venv/). */
  root: string;
  records: number;
  latencyMs: number;
  /** TAX_SOURCE_MAX_CONCURRENCY the run has (set or shipped), and the naive script's concurrency. */
  concurrency: number;
  /** The drover settings the bench changes from the shipped defaults, by its flags; nothing else is set. */
  settings: Record<string, string>;
  /** Seconds of every 30 both portals are closed for maintenance (503 with Retry-After); 0: never. */
  maintenanceSeconds: number;
  /** Progress lines (stderr). */
  say: (line: string) => void;
  /** Echo the stack's own lines too. */
  verbose: boolean;
}

export interface BenchFigures {
  records: number;
  latencyMs: number;
  concurrency: number;
  /** The drover settings the bench changed; every other setting had its shipped default. */
  settings: Record<string, string>;
  maintenanceSeconds: number;
  /** From the run's fan-out plan: children at once, requests per child, records per child. */
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
  /** 429/503 answers the naive script waited out. */
  naiveThrottled: number;
  /** Requests the naive script's portal counted as early (before a Retry-After, or in a window it was told of). */
  naiveTooEarly: number;
  /** 503 answers the pipeline's portal sent (its maintenance windows), and its requests counted as early. */
  throttled503: number;
  tooEarly: number;
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

/** The demo portal's settings: the source the run meets, not drover's own. */
export const SOURCE_SETTINGS = new Set(['DROVER_PORTAL_LATENCY_MS', 'DROVER_PORTAL_FAULT_RATE', 'DROVER_PORTAL_MAINTENANCE_SECONDS']);

/**
 * The stack's environment: the shipped defaults, but for what the bench's flags changed (named in
 * `settings`) and the source it measures against. Settings in the bench's own environment are
 * dropped, so a developer's shell cannot tune a run unseen, and a developer's own stack cannot be
 * what the bench measures.
 */
export function stackEnv(home: string, o: Pick<RunOptions, 'latencyMs' | 'maintenanceSeconds' | 'settings'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(base).filter(([name]) => !SETTINGS.some((s) => s.env === name) || name === 'AWS_REGION'));
  return {
    ...isolatedStackEnv(home, clean),
    DROVER_PORTAL_LATENCY_MS: String(o.latencyMs),
    DROVER_PORTAL_FAULT_RATE: '0',
    DROVER_PORTAL_MAINTENANCE_SECONDS: String(o.maintenanceSeconds),
    ...o.settings,
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
      const plan = times.results.planFanOut?.[0] as FanOutPlan | undefined;
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
      const naive = await runBaseline(o.root, { records: o.records, latencyMs: o.latencyMs, concurrency: o.concurrency, maintenanceSeconds: o.maintenanceSeconds });

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
        settings: o.settings,
        maintenanceSeconds: o.maintenanceSeconds,
        children: plan?.childrenAtOnce ?? 0,
        perChild: plan?.childConcurrency ?? 0,
        recordsPerChild: plan?.recordsPerChild ?? 0,
        overlapStages: o.settings.DROVER_OVERLAP_STAGES !== 'false',
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
        naiveThrottled: naive.throttled,
        naiveTooEarly: naive.tooEarly,
        throttled503: stats.byStatus['503'] ?? 0,
        tooEarly: stats.tooEarly + (stats.maintenance?.early ?? 0),
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
