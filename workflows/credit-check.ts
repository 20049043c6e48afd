import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { BuildReportResult } from '../activities/build-report.js';
import type { IngestResult } from '../activities/types.js';
import type { BudgetControl } from '../budget/control.js';
import {
  chunkProgressSignal,
  chunkReadySignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  setMaxInFlightSignal,
  setSourceLimitSignal,
  sourceStateSignal,
  type ChunkRef,
  type CreditCheckInput,
  type CreditCheckResult,
  type MaxInFlight,
  type PauseOptions,
  type Progress,
  type SourceState,
  type Stage,
} from '../contracts/credit-check.js';
import { InputFileAttribute, RecordCountAttribute, StageAttribute } from '../contracts/search-attributes.js';
import { describePlan } from '../budget/fan-out-plan.js';
import { ChunkTally } from './chunk-tally.js';
import { Compensations } from './compensations.js';

// Quick calls against S3, DynamoDB and SES: transient faults retry, a bad request does not.
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

// Reading the workbook and loading the table, and writing the report: bounded by the 1,000,000-row limit.
const LONG_ACTIVITY = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
} as const;
// Array jobs run while ingest still writes, and the report is written while they run: a
// cancelled run waits for both to stop before its compensation removes the table and files.
const ingestion = proxyActivities<Activities>({ ...LONG_ACTIVITY, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });
// The report follows the array jobs, so it lasts as long as they do.
const reporting = proxyActivities<Activities>({
  ...LONG_ACTIVITY,
  startToCloseTimeout: '12 hours',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * An array job may run for hours; the heartbeat carries its job id so a retry re-attaches
 * to it. The heartbeat timeout, which bounds how long a dead worker's attempt goes
 * unnoticed, comes from the worker's configuration.
 */
function batchActivities(heartbeatSeconds: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: heartbeatSeconds * 1000,
    // Wait for the activity to terminate its job before compensating, so the source goes quiet.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 20 },
  });
}

function validateInput(input: CreditCheckInput): void {
  const problems: string[] = [];
  if (!input || typeof input !== 'object') throw ApplicationFailure.nonRetryable('the input must be an object', 'RUN_INPUT_INVALID');
  if (!input.bucket) problems.push('bucket is missing');
  if (!input.key) problems.push('key is missing');
  if (!input.notify || !input.notify.includes('@')) problems.push('notify must be an email address');
  if (input.maxInFlight !== undefined && !(Number.isInteger(input.maxInFlight) && input.maxInFlight >= 1)) {
    problems.push('maxInFlight must be a whole number of at least 1');
  }
  if (problems.length) throw ApplicationFailure.nonRetryable(`invalid input: ${problems.join('; ')}`, 'RUN_INPUT_INVALID');
}

export async function creditCheck(input: CreditCheckInput): Promise<CreditCheckResult> {
  validateInput(input);
  const runId = workflowInfo().workflowId;
  // Not cancellable: a cancel that comes this early is met at validate's start, inside the
  // try below, so its notice goes out like any other.
  const { resources, maxArrayJobs, heartbeatSeconds, overlapStages = true } = await CancellationScope.nonCancellable(() =>
    quick.planRun({ runId, bucket: input.bucket }),
  );
  const batch = batchActivities(heartbeatSeconds);
  const progress: Progress = {
    total: null,
    done: 0,
    failed: 0,
    stage: 'starting',
    paused: false,
    sourcePaused: false,
    maxInFlight: input.maxInFlight ?? maxArrayJobs,
    chunks: { total: 0, done: 0, running: 0 },
  };
  setHandler(progressQuery, () => progress);
  // Budget changes wait here until the scrape stage, where the run table's budget lives.
  let sourceControl: BudgetControl | undefined;
  const controlSource = (change: BudgetControl) => void (sourceControl = { ...sourceControl, ...change });
  const limitSource = (n: unknown, signal: string) => {
    if (isCount(n)) controlSource({ maxConcurrency: n });
    else log.warn(`${signal} ignored: not a whole number of at least 1`, { n });
  };
  setHandler(pauseSignal, (options?: PauseOptions) => {
    progress.paused = true;
    if (options?.source === true && !progress.sourcePaused) {
      progress.sourcePaused = true;
      controlSource({ paused: true });
    }
  });
  setHandler(resumeSignal, () => {
    progress.paused = false;
    if (progress.sourcePaused) {
      progress.sourcePaused = false;
      controlSource({ paused: false });
    }
  });
  setHandler(setMaxInFlightSignal, (arg: number | MaxInFlight) => {
    const { jobs, source } = typeof arg === 'number' ? { jobs: arg, source: undefined } : (arg ?? {});
    if (jobs === undefined && source === undefined) log.warn('setMaxInFlight ignored: give a number, or {jobs, source}', { arg });
    if (jobs !== undefined) {
      if (isCount(jobs)) progress.maxInFlight = jobs;
      else log.warn('setMaxInFlight jobs ignored: not a whole number of at least 1', { jobs });
    }
    if (source !== undefined) limitSource(source, 'setMaxInFlight source');
  });
  setHandler(setSourceLimitSignal, (n: number) => limitSource(n, 'setSourceLimit'));
  setHandler(sourceStateSignal, (state: SourceState) => void (progress.source = state));

  const stageSeconds: Record<string, number> = {};
  let stageStarted = Date.now();
  const enter = (stage: Stage) => {
    if (progress.stage !== 'starting') stageSeconds[progress.stage] = (Date.now() - stageStarted) / 1000;
    stageStarted = Date.now();
    progress.stage = stage;
    upsertSearchAttributes([{ key: StageAttribute, value: stage }]);
  };
  upsertSearchAttributes([{ key: InputFileAttribute, value: input.key }]);

  const startedAt = new Date().toISOString();
  const compensations = new Compensations();

  try {
    enter('validate');
    const validated = await quick.validateUpload({ bucket: input.bucket, key: input.key });
    // Children, records per child and requests per child, from the budget and Batch's capacity; in the
    // history, so every attempt of ingest and the jobs follows the same plan. Older runs replay without it.
    const plan = patched('fan-out-plan') ? await quick.planFanOut({ rows: validated.rows, maxArrayJobs: progress.maxInFlight }) : undefined;
    if (plan) {
      progress.plan = plan;
      log.info(`fan-out plan: ${describePlan(plan)}`, { runId });
    }

    enter('ingest');
    compensations.add('delete the run table and temporary objects', () => quick.deleteRunResources(resources));
    // Chunks start as ingest stores them (chunkReady), before the rest of the sheet is read.
    const feed: ChunkFeed = { chunks: [], complete: false };
    const addChunk = (chunk: ChunkRef) => {
      if (feed.chunks.some((c) => c.index === chunk.index)) return; // a retried ingest tells again
      feed.chunks.push(chunk);
      progress.chunks.total = feed.chunks.length;
    };
    setHandler(chunkReadySignal, addChunk);
    const tally = new ChunkTally();
    const count = () => {
      progress.done = tally.done;
      progress.failed = tally.failed;
    };
    setHandler(chunkProgressSignal, (update) => {
      if (update.source) progress.source = update.source;
      const chunk = feed.chunks.find((c) => c.index === update.chunk);
      if (!chunk) return;
      tally.running(chunk.index, chunk.count, update.written, update.errors);
      count();
    });
    let scraping = true;
    const limits = followBudgetControl(
      resources.table,
      () => sourceControl,
      () => void (sourceControl = undefined),
      () => scraping,
    );
    // A scope of its own, so a failed ingest, chunk or report can cancel the rest (terminating the jobs).
    const report = await CancellationScope.cancellable(async () => {
      const ingestStarted = Date.now();
      let ingested: IngestResult | undefined;
      let writing: Promise<BuildReportResult> | undefined;
      const startReport = (ingest: IngestResult) => {
        writing = reporting.buildReport({
          resources,
          inputKey: input.key,
          chunks: ingest.chunks,
          rejectedKey: ingest.rejectedKey,
          rejected: ingest.rejected,
          columns: ingest.columns,
          extraColumns: ingest.extraColumns,
          startedAt,
          stageSeconds: { ...stageSeconds },
        });
        writing.catch((err: unknown) => failFeed(feed, err));
      };
      const ingesting = ingestion.ingest({ resources, key: input.key, ...(plan && { plan }) }).then(
        (ingest) => {
          ingested = ingest;
          if (progress.stage === 'ingest') enter('scrape');
          stageSeconds.ingest = (Date.now() - ingestStarted) / 1000;
          for (const chunk of ingest.chunks) addChunk(chunk);
          progress.total = ingest.total;
          feed.complete = true;
          upsertSearchAttributes([{ key: RecordCountAttribute, value: ingest.total }]);
          // Written as the jobs run, a range at a time in input order: little is left when the last job ends.
          if (overlapStages) startReport(ingest);
        },
        (err: unknown) => failFeed(feed, err),
      );
      try {
        await fanOut(feed, async (chunk) => {
          if (progress.stage === 'ingest') enter('scrape');
          const result = await batch.runArrayJob({ resources, chunk });
          tally.ended(chunk.index, result.done, result.failed);
          count();
        }, progress, overlapStages);
      } catch (err) {
        // The scope is cancelled: compensate only once ingest and the report have stopped writing.
        await ingesting;
        await writing?.catch(() => undefined);
        throw err;
      }
      await ingesting;
      enter('report');
      if (!overlapStages && ingested) startReport(ingested);
      if (!writing) throw new Error('ingest ended without starting the report'); // fanOut ends only once ingest has
      return await writing;
    }).finally(() => void (scraping = false));
    await limits;

    enter('email');
    await quick.emailReport({ runId, to: input.notify, inputKey: input.key, reportKey: report.reportKey, bucket: input.bucket, totals: report.totals });

    enter('cleanup');
    await compensations.runAll();
    await quick.archiveInput({ bucket: input.bucket, key: input.key, outcome: 'processed' });
    enter('done');
    return {
      runId,
      reportKey: report.reportKey,
      customers: report.totals.customers,
      rejected: report.totals.rejected,
      byRating: report.totals.byRating,
      totalDueCents: report.totals.totalDueCents,
      stageSeconds,
    };
  } catch (err) {
    const cancelled = isCancellation(err);
    const failedAt = progress.stage;
    // A cancellation's own message is empty ("" from a cancelled activity): the notice says what happened.
    const reason = cancelled ? `The run was cancelled during the ${failedAt} stage.` : describeFailure(err);
    // Compensations must run even though the workflow's own scope is cancelled.
    await CancellationScope.nonCancellable(async () => {
      enter('compensating');
      await compensations.runAll();
      await quick.archiveInput({ bucket: input.bucket, key: input.key, outcome: 'failed' }).catch((e: unknown) => log.error('could not archive the input', { error: String(e) }));
      await quick.emailNotice({
        runId,
        to: input.notify,
        inputKey: input.key,
        outcome: cancelled ? 'CANCELLED' : 'FAILED',
        reason,
        progress: { total: progress.total, done: progress.done, failed: progress.failed, stage: failedAt },
      }).catch((e: unknown) => log.error('could not send the failure notice', { error: String(e) }));
    });
    // The alarm on failed runs (infra/) counts this line.
    log.error('run failed', { runId, outcome: cancelled ? 'CANCELLED' : 'FAILED', stage: failedAt, reason });
    throw err;
  }
}

/**
 * The children read the source's limit and pause flag from the run table, so `pause
 * {"source": true}`, `resume`, `setSourceLimit` and `setMaxInFlight {"source": n}` go there.
 * Not cancellable: it ends with the fan-out, however the fan-out ends.
 */
function followBudgetControl(table: string, pending: () => BudgetControl | undefined, take: () => void, active: () => boolean): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    while (active()) {
      await condition(() => pending() !== undefined || !active());
      const control = pending();
      take();
      if (control === undefined) continue;
      await quick.controlSource({ table, ...control }).catch((e: unknown) => log.error('could not change the source budget', { ...control, error: String(e) }));
    }
  });
}

function isCount(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1;
}

/**
 * The message a person should read: the root cause, not the activity wrapper around it. Never
 * empty, since the notice cannot be sent without a reason: a cause without a message gives way
 * to the nearest wrapper with one, and a failure with none at all is named by its type.
 */
function describeFailure(err: unknown): string {
  let e: unknown = err;
  let said = e instanceof Error ? e.message : String(e);
  while (e instanceof Error && e.cause instanceof Error) {
    const cause: Error = e.cause;
    if (cause.message.trim()) said = cause.message;
    e = cause;
  }
  if (said.trim()) return said;
  const type = e instanceof ApplicationFailure ? e.type : undefined;
  return `${e instanceof Error ? e.name : typeof e}${type ? ` (${type})` : ''}, without a message`;
}

/** The chunks of a run as ingest stores them; `complete` once ingest has told of them all. */
interface ChunkFeed {
  chunks: ChunkRef[];
  complete: boolean;
  /** The first failure, of ingest or of a chunk: the one the run reports. */
  failure?: unknown;
}

/** Keeps the first failure and cancels the rest of the scope: the jobs in flight are terminated. */
function failFeed(feed: ChunkFeed, err: unknown): void {
  if (feed.failure !== undefined) return;
  feed.failure = err;
  CancellationScope.current().cancel();
}

/**
 * Runs the feed's chunks as they come (or, unless `asTheyCome`, once ingest has stored them all),
 * with at most `progress.maxInFlight` at once, holding new ones back while paused, until ingest
 * is complete and every chunk has run.
 */
async function fanOut(feed: ChunkFeed, run: (chunk: ChunkRef) => Promise<void>, progress: Progress, asTheyCome: boolean): Promise<void> {
  let next = 0;
  const running = new Set<Promise<void>>();
  const failed = () => feed.failure !== undefined;
  try {
    for (;;) {
      await condition(
        () => failed() || (next === feed.chunks.length ? feed.complete : (asTheyCome || feed.complete) && !progress.paused && running.size < progress.maxInFlight),
      );
      if (failed() || next === feed.chunks.length) break;
      const chunk = feed.chunks[next++]!;
      progress.chunks.running++;
      const p: Promise<void> = run(chunk)
        .then(() => {
          progress.chunks.done++;
        })
        .catch((err: unknown) => failFeed(feed, err))
        .finally(() => {
          progress.chunks.running--;
          running.delete(p);
        });
      running.add(p);
    }
  } catch (err) {
    // The loop's own wait is cancelled with the scope; the chunk's (or ingest's) failure is the one to report.
    if (!failed()) throw err;
  } finally {
    // On cancellation too: the jobs in flight must finish terminating before compensations run.
    await Promise.all(running);
  }
  if (feed.failure !== undefined) throw feed.failure;
}
