import {
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { chunkProgressSignal, CHUNK_PROGRESS_EVERY_MS, type ChunkProgressUpdate, type ChunkRef } from '../contracts/credit-check.js';
import { RUN_ID_TAG, type RunResources } from '../run-data/names.js';
import { CHILD_BAD_INPUT_EXIT } from '../run-data/child-exit.js';
import { putChunkEnd } from '../run-data/chunk-end.js';
import { readChunkProgress, type ChunkProgress } from '../run-data/chunk-progress.js';
import { resultTotals } from '../run-data/result-totals.js';
import type { ActivityDeps } from './deps.js';
import { signalRun } from './signal-run.js';
import { readSourceState } from './source-budget.js';
import type { ArrayJobResult } from './types.js';

/** What the heartbeat carries: a retried attempt re-attaches to this job instead of submitting another. */
export interface ArrayJobHeartbeat {
  jobId: string;
  status?: string;
  summary?: Record<string, number>;
}


// Long enough not to flood DescribeJobs (one call per job in flight), short enough that a
// finished chunk is noticed within seconds: the bench saw 20-35 s lost at a 30 s cap.
const MAX_POLL_MS = 10_000;

/**
 * The poll's interval is at most this share of the time the job has been watched. Measured at
 * 20,000 customers: a tenth left the 14 s job's end unseen for up to 1.4 s (9% of the run), a
 * twentieth for 0.75 s. The calls stay few: about 40 per e-fold of a job's length, and with
 * DROVER_MAX_ARRAY_JOBS (4) jobs watched at once, under 3 calls a second once they have run a minute.
 */
const POLL_SHARE = 1 / 40;

/**
 * Between two polls of Batch the watcher reads the chunk's progress count (chunk-progress.ts)
 * this often: one small consistent read, where DescribeJobs has a low account-wide rate.
 */
const PROGRESS_READ_MS = 200;
/**
 * Once the children have written every result the job ends as they exit: Batch is asked this
 * often, this many times, before the backoff resumes (the count is a hint, and may be long).
 */
const ENDING_POLL_MS = 100;
const ENDING_POLLS = 30;

/** TAX_SOURCE_CHILD_CONCURRENCY's default before the fan-out plan: for chunks stored without a plan. */
const LEGACY_CHILD_CONCURRENCY = 8;

/** Poll (and so heartbeat) well within the heartbeat timeout, however long the job runs. */
function maxPollMs(heartbeatSeconds: number): number {
  return Math.min(MAX_POLL_MS, (heartbeatSeconds * 1000) / 3);
}

/** One name per run and chunk: how a retry finds the job an earlier attempt submitted. */
function jobName(resources: RunResources, chunk: ChunkRef): string {
  return `drover-${resources.runId}-chunk-${chunk.index}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
}

export function runArrayJobActivity(deps: ActivityDeps) {
  const { aws, config } = deps;
  const { batch } = aws;

  async function describe(jobId: string): Promise<JobDetail | undefined> {
    const out = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
    return out.jobs?.[0];
  }

  async function submit(resources: RunResources, chunk: ChunkRef): Promise<string> {
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
    const out = await batch.send(
      new SubmitJobCommand({
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
        tags: { [RUN_ID_TAG]: resources.runId },
      }),
    );
    return out.jobId!;
  }

  /**
   * The newest job of this run and chunk, whatever its state: an earlier attempt that died between
   * SubmitJob and its first heartbeat left no job id behind, and submitting again would scrape
   * the chunk twice. (ListJobs is eventually consistent on AWS, so this narrows that window
   * rather than closing it; the children skip records already written either way.) A job is
   * this run's only when its RUN_ID_TAG says so: the name is the run id with characters
   * rewritten, so another run's job can bear the same one.
   */
  async function submittedBefore(resources: RunResources, chunk: ChunkRef): Promise<string | undefined> {
    const name = jobName(resources, chunk);
    const out = await batch.send(new ListJobsCommand({ jobQueue: config.batch.jobQueue, filters: [{ name: 'JOB_NAME', values: [name] }] }));
    // Array children share their parent's name; moto lists them too (as `parent:index`), AWS does not.
    const named = (out.jobSummaryList ?? []).filter((j) => j.jobName === name && j.arrayProperties?.index === undefined && !j.jobId?.includes(':'));
    if (named.length === 0) return undefined;
    // ListJobs leaves out the tags: DescribeJobs (100 ids at most) has them.
    const described = await batch.send(new DescribeJobsCommand({ jobs: named.slice(0, 100).map((j) => j.jobId!) }));
    const ours = (described.jobs ?? []).filter((j) => j.tags?.[RUN_ID_TAG] === resources.runId);
    return ours.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0]?.jobId;
  }

  async function firstFailureReason(job: JobDetail): Promise<string> {
    if (!job.arrayProperties?.size) return job.statusReason ?? 'no reason given';
    const failed = await batch.send(new ListJobsCommand({ arrayJobId: job.jobId, jobStatus: 'FAILED', maxResults: 1 }));
    const child = failed.jobSummaryList?.[0];
    return child?.statusReason ?? child?.container?.reason ?? job.statusReason ?? 'no reason given';
  }

  return async function runArrayJob({ resources, chunk }: { resources: RunResources; chunk: ChunkRef }): Promise<ArrayJobResult> {
    const ctx = Context.current();
    const prior = ctx.info.heartbeatDetails as ArrayJobHeartbeat | undefined;
    let jobId = prior?.jobId && (await describe(prior.jobId)) ? prior.jobId : undefined;
    if (!jobId && ctx.info.attempt > 1) jobId = await submittedBefore(resources, chunk);
    if (jobId) ctx.log.info('re-attached to array job', { jobId, chunk: chunk.index });
    else jobId = await submit(resources, chunk);
    ctx.heartbeat({ jobId } satisfies ArrayJobHeartbeat);

    let job: JobDetail | undefined;
    let delay = Math.min(config.batch.pollSeconds * 1000, maxPollMs(config.batch.heartbeatSeconds));
    let hinted = false;
    let endingPolls = 0;
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
    try {
      for (;;) {
        await report();
        job = await describe(jobId);
        if (!job) throw new Error(`Batch no longer knows job ${jobId}`);
        const summary = job.arrayProperties?.statusSummary;
        ctx.heartbeat({ jobId, status: job.status, summary } satisfies ArrayJobHeartbeat);
        if (job.status === 'SUCCEEDED' || job.status === 'FAILED') break;
        if (endingPolls > 0) {
          endingPolls--;
          await ctx.sleep(ENDING_POLL_MS);
          continue;
        }
        // Backing off keeps a long job from flooding DescribeJobs; cancellation still wakes the sleep.
        // A share of the time watched so far bounds it too, so the end of a job is seen within a
        // fortieth of its length (0.35 s late on a 14 s job, not 10 s), or at once when the
        // children say they have written every result.
        if (!hinted && (await resultsAllWritten(delay))) {
          hinted = true;
          endingPolls = ENDING_POLLS;
          continue;
        }
        const share = Math.max(config.batch.pollSeconds * 1000, (Date.now() - watching) * POLL_SHARE);
        delay = Math.min(delay * 1.5, share, maxPollMs(config.batch.heartbeatSeconds));
      }
    } catch (err) {
      if (err instanceof CancelledFailure) {
        await batch.send(new TerminateJobCommand({ jobId, reason: 'drover run cancelled' }));
        ctx.log.info('terminated array job after cancellation', { jobId });
      }
      throw err;
    }

    // No child of the job writes any more: the report, which reads the chunk as it runs, may take its results as final.
    const status = job.status as 'SUCCEEDED' | 'FAILED';
    await putChunkEnd(aws.dynamodb, resources.table, chunk.index, { status, createdAt: job.createdAt ?? watching, stoppedAt: job.stoppedAt ?? Date.now() });
    const { done, errors } = await resultTotals(aws.dynamodb, resources.table, chunk.index);
    if (job.status === 'FAILED' && done === 0) {
      throw ApplicationFailure.create({
        message: `every child of array job ${jobId} (chunk ${chunk.index}) failed: ${await firstFailureReason(job)}`,
        type: 'BATCH_JOB_FAILED',
        nonRetryable: true,
      });
    }
    return { jobId, status, done, failed: errors + (chunk.count - done) };
  };
}
