import { ListJobsCommand, type JobDetail, type SubmitJobCommandInput } from '@aws-sdk/client-batch';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { chunkProgressSignal, CHUNK_PROGRESS_EVERY_MS, type ChunkProgressUpdate, type ChunkRef } from '../contracts/credit-check.js';
import { RUN_ID_TAG, type RunResources } from '../run-data/names.js';
import { CHILD_BAD_INPUT_EXIT } from '../run-data/child-exit.js';
import { putChunkEnd } from '../run-data/chunk-end.js';
import { readChunkProgress, type ChunkProgress } from '../run-data/chunk-progress.js';
import { resultTotals } from '../run-data/result-totals.js';
import { batchCalls } from './batch-calls.js';
import { batchJobRunner, type BatchJobHeartbeat } from './batch-job-runner.js';
import { measureBatchJob } from './batch-job-usage.js';
import { scrapeTaskName, scrapeTaskPosition, type CreditCheckLedger } from './credit-check-ledger.js';
import type { ActivityDeps } from './deps.js';
import { signalRun } from './signal-run.js';
import { readSourceState } from './source-budget.js';
import type { ArrayJobResult } from './types.js';

/** The heartbeat of the chunk's job (batch-job-runner.ts); kept under its old name for the tests that read it. */
export type ArrayJobHeartbeat = BatchJobHeartbeat;

/**
 * Between two polls of Batch the watcher reads the chunk's progress count (chunk-progress.ts)
 * this often: one small consistent read, where DescribeJobs has a low account-wide rate.
 */
const PROGRESS_READ_MS = 200;

/** TAX_SOURCE_CHILD_CONCURRENCY's default before the fan-out plan: for chunks stored without a plan. */
const LEGACY_CHILD_CONCURRENCY = 8;

/** One name per run and chunk: how a retry finds the job an earlier attempt submitted. */
function jobName(resources: RunResources, chunk: ChunkRef): string {
  return `drover-${resources.runId}-chunk-${chunk.index}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
}

export function runArrayJobActivity(deps: ActivityDeps, record?: CreditCheckLedger) {
  const { aws, config } = deps;
  const { batch } = aws;

  const runner = batchJobRunner(deps);
  const { describer } = batchCalls(deps);

  function request(resources: RunResources, chunk: ChunkRef): SubmitJobCommandInput {
    const env: Record<string, string> = {
      JOB_RUN_ID: resources.runId,
      JOB_BUCKET: resources.bucket,
      JOB_TABLE: resources.table,
      JOB_CHUNK_INDEX: String(chunk.index),
      JOB_CHUNK_KEY: chunk.key,
      JOB_CHUNK_INDEX_KEY: chunk.indexKey,
    };
    // The source's settings travel with the job, so children on AWS use the worker's.
    if (config.source.url) env.TAX_SOURCE_URL = config.source.url;
    env.TAX_SOURCE_TIMEOUT_MS = String(config.source.timeoutMs);
    env.TAX_SOURCE_RETRIES = String(config.source.retries);
    env.TAX_SOURCE_CHILD_CONCURRENCY = String(chunk.childConcurrency ?? config.source.childConcurrency ?? LEGACY_CHILD_CONCURRENCY);
    env.TAX_SOURCE_MAX_CONCURRENCY = String(config.source.maxConcurrency);
    if (config.source.maxRps !== undefined) env.TAX_SOURCE_MAX_RPS = String(config.source.maxRps);
    return {
      jobName: jobName(resources, chunk),
      jobQueue: config.batch.jobQueue,
      jobDefinition: config.batch.jobDefinition,
      // Batch refuses an array of one: a single child runs as a plain job (index 0).
      arrayProperties: chunk.children > 1 ? { size: chunk.children } : undefined,
      containerOverrides: { environment: Object.entries(env).map(([name, value]) => ({ name, value })) },
      retryStrategy: {
        attempts: config.batch.childAttempts,
        evaluateOnExit: [
          { onExitCode: String(CHILD_BAD_INPUT_EXIT), action: 'EXIT' },
          { onReason: '*', action: 'RETRY' },
        ],
      },
      timeout: { attemptDurationSeconds: config.batch.childTimeoutSeconds },
    };
  }

  async function firstFailureReason(job: JobDetail): Promise<string> {
    if (!job.arrayProperties?.size) return job.statusReason ?? 'no reason given';
    const failed = await batch.send(new ListJobsCommand({ arrayJobId: job.jobId, jobStatus: 'FAILED', maxResults: 1 }));
    const child = failed.jobSummaryList?.[0];
    return child?.statusReason ?? child?.container?.reason ?? job.statusReason ?? 'no reason given';
  }

  return async function runArrayJob({ resources, chunk }: { resources: RunResources; chunk: ChunkRef }): Promise<ArrayJobResult> {
    const ctx = Context.current();
    const watching = Date.now();
    let written: ChunkProgress = { written: 0, errors: 0 };
    let reportedAt = 0;
    // Nothing written and no budget yet is what the run already knows.
    let reported = JSON.stringify({ chunk: chunk.index, ...written } satisfies ChunkProgressUpdate);
    /**
     * Tells the run what the children have written and how the source budget stands, every
     * CHUNK_PROGRESS_EVERY_MS at most and only when it changed: a signal per running chunk
     * every few seconds, never one per record, and none while a job stands still.
     */
    const report = async (): Promise<void> => {
      if (Date.now() - reportedAt < CHUNK_PROGRESS_EVERY_MS) return;
      reportedAt = Date.now();
      const update: ChunkProgressUpdate = { chunk: chunk.index, ...written, source: await readSourceState(deps, resources.table) };
      const said = JSON.stringify(update);
      if (said === reported) return;
      reported = said;
      await signalRun(deps, chunkProgressSignal, update);
    };
    /** Sleeps `ms`, reading the chunk's progress count meanwhile; true (at once) when it reaches the chunk's size. */
    const resultsAllWritten = async (ms: number): Promise<boolean> => {
      for (const until = Date.now() + ms; Date.now() < until; ) {
        await ctx.sleep(Math.min(PROGRESS_READ_MS, until - Date.now()));
        // A read that fails is a hint missed, not a reason to fail the watch.
        written = await readChunkProgress(aws.dynamodb, resources.table, chunk.index).catch(() => written);
        if (written.written >= chunk.count) return true;
        await report();
      }
      return false;
    };
    // A job is this run's only when its RUN_ID_TAG says so: the name is the run id with
    // characters rewritten, so another run's job can bear the same one.
    const task = { name: scrapeTaskName(chunk.index), position: scrapeTaskPosition(chunk.index) };
    const job = await runner.run(
      { jobName: jobName(resources, chunk), tag: { key: RUN_ID_TAG, value: resources.runId }, request: () => request(resources, chunk), cancelReason: 'drover run cancelled' },
      {
        beforePoll: report,
        wait: resultsAllWritten,
        onAttached: async (batchJobId) => record?.task({ ...task, status: 'RUNNING', batchJobId, startedAt: new Date(), arraySize: chunk.children, detail: { records: chunk.count } }),
      },
    );
    const jobId = job.jobId!;

    // No child of the job writes any more: the report, which reads the chunk as it runs, may take its results as final.
    const status = job.status as 'SUCCEEDED' | 'FAILED';
    await putChunkEnd(aws.dynamodb, resources.table, chunk.index, { status, createdAt: job.createdAt ?? watching, stoppedAt: job.stoppedAt ?? Date.now() });
    const { done, errors } = await resultTotals(aws.dynamodb, resources.table, chunk.index);
    const failed = errors + (chunk.count - done);
    // What every attempt of every child used, at the vCPUs and memory each ran with (the scraper's job definition's).
    const used = record ? await measureBatchJob(describer, job) : undefined;
    // Children that failed after some records are the report's failed rows, not a failed chunk.
    await record?.task({
      ...(used ? { vcpuSeconds: used.vcpuSeconds, gibSeconds: used.gibSeconds } : {}),
      ...task,
      status: status === 'FAILED' && done === 0 ? 'FAILED' : 'SUCCEEDED',
      finishedAt: new Date(job.stoppedAt ?? Date.now()),
      detail: { records: chunk.count, done, failed },
      reason: status === 'FAILED' ? await firstFailureReason(job) : null,
    });
    if (job.status === 'FAILED' && done === 0) {
      throw ApplicationFailure.create({
        message: `every child of array job ${jobId} (chunk ${chunk.index}) failed: ${await firstFailureReason(job)}`,
        type: 'BATCH_JOB_FAILED',
        nonRetryable: true,
      });
    }
    return { jobId, status, done, failed };
  };
}
