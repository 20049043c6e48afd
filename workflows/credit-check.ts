import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
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
import type { IngestResult, RunPlan } from '../activities/types.js';
import {
  chunkProgressSignal,
  chunkReadySignal,
  progressQuery,
  sourceStateSignal,
  type ChunkRef,
  type CreditCheckInput,
  type CreditCheckResult,
  type Progress,
  type SourceState,
  type Stage,
} from '../contracts/credit-check.js';
import { InputFileAttribute, RecordCountAttribute } from '../contracts/search-attributes.js';
import { describePlan, type FanOutPlan } from '../budget/fan-out-plan.js';
import { ChunkTally } from './chunk-tally.js';
import { Compensations } from './compensations.js';
import { fanOut, WorkFeed } from './fan-out.js';
import { RunControls } from './run-controls.js';
import { StageTracker } from './stage-tracker.js';

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

/** What every stage of a run shares. `workflowId` is the run's workflow id, which the activities call `runId`. */
interface Run {
  input: CreditCheckInput;
  workflowId: string;
  plan: RunPlan;
  progress: Progress;
  stages: StageTracker<Stage>;
  controls: RunControls;
  compensations: Compensations;
  startedAt: string;
}

export async function creditCheck(input: CreditCheckInput): Promise<CreditCheckResult> {
  validateInput(input);
  const workflowId = workflowInfo().workflowId;
  // Not cancellable: a cancel that comes this early is met at validate's start, inside the
  // try below, so its notice goes out like any other.
  const plan = await CancellationScope.nonCancellable(() => quick.planRun({ runId: workflowId, bucket: input.bucket }));
  const progress = startProgress(input.maxInFlight ?? plan.maxArrayJobs);
  const run: Run = {
    input,
    workflowId,
    plan,
    progress,
    controls: new RunControls(progress),
    stages: new StageTracker<Stage>('starting', (stage) => void (progress.stage = stage)),
    compensations: new Compensations(),
    startedAt: new Date().toISOString(),
  };
  upsertSearchAttributes([{ key: InputFileAttribute, value: input.key }]);
  const { stages, compensations } = run;
  try {
    stages.enter('validate');
    const fanOutPlan = await validate(run);
    stages.enter('ingest');
    compensations.add('delete the run table and temporary objects', () => quick.deleteRunResources(plan.resources));
    const report = await ingestScrapeAndReport(run, fanOutPlan);
    stages.enter('email');
    await quick.emailReport({ runId: workflowId, to: input.notify, inputKey: input.key, reportKey: report.reportKey, bucket: input.bucket, totals: report.totals });
    stages.enter('cleanup');
    await compensations.runAll();
    await quick.archiveInput({ bucket: input.bucket, key: input.key, outcome: 'processed' });
    stages.enter('done');
    const { customers, rejected, byRating, totalDueCents } = report.totals;
    return { runId: workflowId, reportKey: report.reportKey, customers, rejected, byRating, totalDueCents, stageSeconds: stages.seconds };
  } catch (err) {
    await compensate(run, err);
    throw err;
  }
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

/** The run's `progress`, as the query shows it, before the run has begun. */
function startProgress(maxInFlight: number): Progress {
  const progress: Progress = {
    total: null,
    done: 0,
    failed: 0,
    stage: 'starting',
    paused: false,
    sourcePaused: false,
    maxInFlight,
    chunks: { total: 0, done: 0, running: 0 },
  };
  setHandler(progressQuery, () => progress);
  setHandler(sourceStateSignal, (state: SourceState) => void (progress.source = state));
  return progress;
}

/**
 * Checks the upload, and makes the fan-out plan: children, records per child and requests
 * per child, from the budget and Batch's capacity. In the history, so every attempt of
 * ingest and the jobs follows the same plan. Older runs replay without it.
 */
async function validate({ input, progress, workflowId }: Run): Promise<FanOutPlan | undefined> {
  const validated = await quick.validateUpload({ bucket: input.bucket, key: input.key });
  const plan = patched('fan-out-plan') ? await quick.planFanOut({ rows: validated.rows, maxArrayJobs: progress.maxInFlight }) : undefined;
  if (plan) {
    progress.plan = plan;
    log.info(`fan-out plan: ${describePlan(plan)}`, { runId: workflowId });
  }
  return plan;
}

/**
 * The ingest, scrape and report stages, overlapped: chunks start as ingest stores them
 * (chunkReady), before the rest of the sheet is read, and the report is written while the
 * jobs run (unless DROVER_OVERLAP_STAGES is off). A failure of any cancels the rest.
 */
async function ingestScrapeAndReport(run: Run, fanOutPlan: FanOutPlan | undefined): Promise<BuildReportResult> {
  const { input, progress, stages, controls, startedAt } = run;
  const { resources, heartbeatSeconds, overlapStages = true } = run.plan;
  const batch = batchActivities(heartbeatSeconds);
  const feed = new WorkFeed<ChunkRef>((chunk) => chunk.index);
  const addChunk = (chunk: ChunkRef) => {
    if (feed.add(chunk)) progress.chunks.total = feed.items.length; // a retried ingest tells again
  };
  setHandler(chunkReadySignal, addChunk);
  const tally = new ChunkTally();
  const count = () => {
    progress.done = tally.done;
    progress.failed = tally.failed;
  };
  setHandler(chunkProgressSignal, (update) => {
    if (update.source) progress.source = update.source;
    const chunk = feed.find(update.chunk);
    if (!chunk) return;
    tally.running(chunk.index, chunk.count, update.written, update.errors);
    count();
  });
  let scraping = true;
  const budget = controls.followBudget((change) => quick.controlSource({ table: resources.table, ...change }), () => scraping);
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
        stageSeconds: { ...stages.seconds },
      });
      writing.catch((err: unknown) => feed.fail(err));
    };
    const ingesting = ingestion.ingest({ resources, key: input.key, ...(fanOutPlan && { plan: fanOutPlan }) }).then(
      (ingest) => {
        ingested = ingest;
        if (stages.current === 'ingest') stages.enter('scrape');
        stages.seconds.ingest = (Date.now() - ingestStarted) / 1000;
        for (const chunk of ingest.chunks) addChunk(chunk);
        progress.total = ingest.total;
        feed.complete = true;
        upsertSearchAttributes([{ key: RecordCountAttribute, value: ingest.total }]);
        // Written as the jobs run, a range at a time in input order: little is left when the last job ends.
        if (overlapStages) startReport(ingest);
      },
      (err: unknown) => feed.fail(err),
    );
    try {
      await fanOut(
        feed,
        async (chunk) => {
          if (stages.current === 'ingest') stages.enter('scrape');
          const result = await batch.runArrayJob({ resources, chunk });
          tally.ended(chunk.index, result.done, result.failed);
          count();
        },
        progress,
        progress.chunks,
        overlapStages,
      );
    } catch (err) {
      // The scope is cancelled: compensate only once ingest and the report have stopped writing.
      await ingesting;
      await writing?.catch(() => undefined);
      throw err;
    }
    await ingesting;
    stages.enter('report');
    if (!overlapStages && ingested) startReport(ingested);
    if (!writing) throw new Error('ingest ended without starting the report'); // fanOut ends only once ingest has
    return await writing;
  }).finally(() => void (scraping = false));
  await budget;
  return report;
}

/**
 * A failed or cancelled run: its undo steps in reverse order, the input moved to `failed/`,
 * and one notice that says what happened and how far the run got. Runs even though the
 * workflow's own scope is cancelled.
 */
async function compensate({ input, progress, stages, compensations, workflowId }: Run, err: unknown): Promise<void> {
  const cancelled = isCancellation(err);
  const failedAt = stages.current;
  // A cancellation's own message is empty ("" from a cancelled activity): the notice says what happened.
  const reason = cancelled ? `The run was cancelled during the ${failedAt} stage.` : describeFailure(err);
  await CancellationScope.nonCancellable(async () => {
    stages.enter('compensating');
    await compensations.runAll();
    await quick.archiveInput({ bucket: input.bucket, key: input.key, outcome: 'failed' }).catch((e: unknown) => log.error('could not archive the input', { error: String(e) }));
    await quick.emailNotice({
      runId: workflowId,
      to: input.notify,
      inputKey: input.key,
      outcome: cancelled ? 'CANCELLED' : 'FAILED',
      reason,
      progress: { total: progress.total, done: progress.done, failed: progress.failed, stage: failedAt },
    }).catch((e: unknown) => log.error('could not send the failure notice', { error: String(e) }));
  });
  // The alarm on failed runs (infra/) counts this line.
  log.error('run failed', { runId: workflowId, outcome: cancelled ? 'CANCELLED' : 'FAILED', stage: failedAt, reason });
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
