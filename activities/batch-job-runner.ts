/**
 * The machinery every Batch job of drover runs under, whichever job it is (a credit check's
 * chunk, a catalog step): submit once, heartbeat the job id, re-attach instead of submitting
 * again after a worker crash, watch the job to its end with a poll that backs off, and
 * terminate the job when the activity is cancelled. Every DescribeJobs goes through the worker's
 * one queue (batch-describer.ts) and every SubmitJob waits for the worker's pace (batch-calls.ts),
 * so the calls stay within Batch's account-wide limits however many jobs run.
 */
import {
  ListJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
  type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { batchCalls } from './batch-calls.js';
import type { ActivityDeps } from './deps.js';

/** What the heartbeat carries: a retried attempt re-attaches to this job instead of submitting another. */
export interface BatchJobHeartbeat {
  jobId: string;
  status?: string;
  summary?: Record<string, number>;
}

// Long enough not to crowd the DescribeJobs queue (one id per job in flight), short enough that a
// finished job is noticed within seconds: the bench saw 20-35 s lost at a 30 s cap.
const MAX_POLL_MS = 10_000;

/**
 * The poll's interval is at most this share of the time the job has been watched. Measured at
 * 20,000 customers: a tenth left the 14 s job's end unseen for up to 1.4 s (9% of the run), a
 * twentieth for 0.75 s. The calls stay few: about 40 per e-fold of a job's length.
 */
const POLL_SHARE = 1 / 40;

/**
 * Once a hook says the job is ending (its children have written every result), Batch is asked
 * this often, this many times, before the backoff resumes (the hint may be early).
 */
const ENDING_POLL_MS = 100;
const ENDING_POLLS = 30;

/** Poll (and so heartbeat) well within the heartbeat timeout, however long the job runs. */
function maxPollMs(heartbeatSeconds: number): number {
  return Math.min(MAX_POLL_MS, (heartbeatSeconds * 1000) / 3);
}

export interface BatchJobSpec {
  /** The job's name: with `tag`, how a retried attempt finds the job an earlier one submitted. */
  jobName: string;
  /** A tag only this job's owner sets (a run or process id): a name alone may be another's. */
  tag: { key: string; value: string };
  /** The SubmitJob request, built only when a job is to be submitted. */
  request: () => SubmitJobCommandInput;
  /** The reason Batch records when the job is terminated because the activity was cancelled. */
  cancelReason: string;
}

export interface WatchHooks {
  /** Called once the job is known (submitted or re-attached), with whether it was submitted now. */
  onAttached?: (jobId: string, submitted: boolean) => Promise<void>;
  /** Called before each DescribeJobs: news for the workflow, best effort. */
  beforePoll?: () => Promise<void>;
  /** Called with each description of the job, ended or not. */
  onPoll?: (job: JobDetail) => Promise<void>;
  /** Waits `ms` between two polls; resolves true (early) when the job is about to end. */
  wait?: (ms: number) => Promise<boolean>;
}

export interface BatchJobRunner {
  describe(jobId: string): Promise<JobDetail | undefined>;
  /** Runs `spec` to its end (SUCCEEDED or FAILED) and returns the job as Batch last described it. */
  run(spec: BatchJobSpec, hooks?: WatchHooks): Promise<JobDetail>;
}

export function batchJobRunner(deps: Pick<ActivityDeps, 'aws' | 'config' | 'batchCalls'>): BatchJobRunner {
  const { aws, config } = deps;
  const { batch } = aws;
  const { describer, submits } = batchCalls(deps);
  const describe = describer.describe;

  /** Waits for this worker's next SubmitJob slot, heartbeating meanwhile: a burst of thousands waits longer than the heartbeat timeout. */
  async function submitTurn(ctx: Context): Promise<void> {
    const beat = maxPollMs(config.batch.heartbeatSeconds);
    for (let left = submits.reserve(); left > 0; left -= beat) {
      await ctx.sleep(Math.min(left, beat));
      if (left > beat) ctx.heartbeat();
    }
  }

  /**
   * The newest job of this name that bears the tag, whatever its state: an earlier attempt that
   * died between SubmitJob and its first heartbeat left no job id behind. (ListJobs is
   * eventually consistent on AWS, so this narrows that window rather than closing it.)
   */
  async function submittedBefore(spec: BatchJobSpec, jobQueue: string): Promise<string | undefined> {
    const out = await batch.send(new ListJobsCommand({ jobQueue, filters: [{ name: 'JOB_NAME', values: [spec.jobName] }] }));
    // Array children share their parent's name; moto lists them too (as `parent:index`), AWS does not.
    const named = (out.jobSummaryList ?? []).filter((j) => j.jobName === spec.jobName && j.arrayProperties?.index === undefined && !j.jobId?.includes(':'));
    if (named.length === 0) return undefined;
    // ListJobs leaves out the tags: DescribeJobs (100 ids at most) has them.
    const described = await describer.describeMany(named.slice(0, 100).map((j) => j.jobId!));
    const ours = described.filter((j): j is JobDetail => j?.tags?.[spec.tag.key] === spec.tag.value);
    return ours.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0]?.jobId;
  }

  async function run(spec: BatchJobSpec, hooks: WatchHooks = {}): Promise<JobDetail> {
    const ctx = Context.current();
    const prior = ctx.info.heartbeatDetails as BatchJobHeartbeat | undefined;
    let jobId = prior?.jobId && (await describe(prior.jobId)) ? prior.jobId : undefined;
    let request: SubmitJobCommandInput | undefined;
    if (!jobId && ctx.info.attempt > 1) {
      request = spec.request();
      jobId = await submittedBefore(spec, request.jobQueue!);
    }
    const submitted = !jobId;
    if (jobId) ctx.log.info('re-attached to Batch job', { jobId, jobName: spec.jobName });
    else {
      request ??= spec.request();
      await submitTurn(ctx);
      const out = await batch.send(new SubmitJobCommand({ ...request, jobName: spec.jobName, tags: { ...request.tags, [spec.tag.key]: spec.tag.value } }));
      jobId = out.jobId!;
    }
    ctx.heartbeat({ jobId } satisfies BatchJobHeartbeat);
    await hooks.onAttached?.(jobId, submitted);

    const wait = hooks.wait ?? (async (ms: number) => (await ctx.sleep(ms), false));
    let job: JobDetail | undefined;
    let delay = Math.min(config.batch.pollSeconds * 1000, maxPollMs(config.batch.heartbeatSeconds));
    let hinted = false;
    let endingPolls = 0;
    const watching = Date.now();
    try {
      for (;;) {
        await hooks.beforePoll?.();
        job = await describe(jobId);
        if (!job) throw new Error(`Batch no longer knows job ${jobId}`);
        ctx.heartbeat({ jobId, status: job.status, summary: job.arrayProperties?.statusSummary } satisfies BatchJobHeartbeat);
        await hooks.onPoll?.(job);
        if (job.status === 'SUCCEEDED' || job.status === 'FAILED') return job;
        if (endingPolls > 0) {
          endingPolls--;
          await ctx.sleep(ENDING_POLL_MS);
          continue;
        }
        // Backing off keeps a long job from flooding DescribeJobs; cancellation still wakes the sleep.
        // A share of the time watched so far bounds it too, so the end of a job is seen within a
        // fortieth of its length (0.35 s late on a 14 s job, not 10 s), or at once on a hint.
        if (!hinted && (await wait(delay))) {
          hinted = true;
          endingPolls = ENDING_POLLS;
          continue;
        }
        const share = Math.max(config.batch.pollSeconds * 1000, (Date.now() - watching) * POLL_SHARE);
        delay = Math.min(delay * 1.5, share, maxPollMs(config.batch.heartbeatSeconds));
      }
    } catch (err) {
      if (err instanceof CancelledFailure) {
        await batch.send(new TerminateJobCommand({ jobId, reason: spec.cancelReason }));
        ctx.log.info('terminated Batch job after cancellation', { jobId });
      }
      throw err;
    }
  }

  return { describe, run };
}
