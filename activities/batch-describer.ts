/**
 * One DescribeJobs queue for a whole worker process: every watcher of a Batch job (a catalog
 * step, a credit check's chunk, an array's children) asks it for a job, and it sends the ids
 * asked for together, up to 100 a call (the API's most), at most `perSecond` calls a second.
 *
 * Why: AWS Batch throttles its API for the whole account (SubmitJob about 50 a second;
 * DescribeJobs is throttled too, at a rate AWS does not publish). With a poll of its own per
 * job, 250 running steps polled every second made 250 calls a second, and 2,500 made 2,500.
 * Here the number of calls is bounded by the setting whatever the number of jobs: when more
 * ids wait than `perSecond` calls of 100 carry, each job is simply polled less often, never
 * with more calls. With a few jobs a call leaves after a short gathering window (GATHER_MS)
 * or as soon as its turn comes, so one job alone still sees its end at once (the credit
 * check's hint polls every 100 ms, batch-job-runner.ts).
 *
 * The arithmetic, at the defaults (DROVER_BATCH_DESCRIBE_PER_SECOND = 5, a call every 200 ms):
 * at most 5 × 60 = 300 DescribeJobs calls a minute per worker, carrying up to 500 ids a second.
 * A watcher asks once a second at first (DROVER_BATCH_POLL_SECONDS), backing off to 10 s for
 * long jobs. At 250 running jobs that is 25 to 250 ids a second, within what 5 calls carry:
 * every job is polled at its own pace, in 300 calls a minute (up to 50 ids each), where a
 * poll per job made 1,500 to 15,000. At 2,500 running jobs it is still 300 calls a minute,
 * now full (100 ids each): a young job is polled every 5 s instead of every second, a long
 * one every 10 s as before. Several workers each have their own queue: N workers, N × 300.
 *
 * Why not EventBridge: on AWS, Batch emits a "Batch Job State Change" event for every
 * transition, which would replace polling altogether (no calls at all while jobs run). It
 * takes an EventBridge rule on the job queue, an SQS queue it targets, and a consumer in each
 * worker that routes each event to the activity watching that job, plus what polling gives for
 * free: events can arrive late, out of order or twice, and an event lost or sent while no
 * worker was up must still be noticed (so a slow poll stays as the safety net). The local
 * executor and moto emit no such events, so it could not be tested here end to end. One
 * coalescing describer keeps the calls bounded with one mechanism that runs the same locally
 * and on AWS; the events are the next step if a single account runs several thousand jobs at
 * once across many workers.
 */
import { DescribeJobsCommand, type BatchClient, type JobDetail } from '@aws-sdk/client-batch';
import { RateWindow } from '../concurrency/rate-window.js';

/** DescribeJobs takes at most 100 ids a call. */
export const DESCRIBE_MAX_IDS = 100;

/**
 * How long the first id asked for waits for others before its call leaves. Short next to a
 * poll (a second at least, 100 ms on a hint) and to a call's own round trip, long enough for
 * watchers woken by the same tick to share a call.
 */
export const GATHER_MS = 20;

export interface BatchDescriberOptions {
  batch: Pick<BatchClient, 'send'>;
  /** Most DescribeJobs calls a second; they are spaced evenly, 1000/perSecond ms apart. */
  perSecond: number;
  /** The gathering window (GATHER_MS unless told). */
  gatherMs?: number;
}

export interface BatchDescriber {
  /** The job as Batch describes it now, or undefined when Batch does not know the id. */
  describe(jobId: string): Promise<JobDetail | undefined>;
  /** Each id's job in the order asked (undefined where unknown), in as few calls as the queue makes. */
  describeMany(jobIds: readonly string[]): Promise<(JobDetail | undefined)[]>;
}

interface Waiter {
  resolve: (job: JobDetail | undefined) => void;
  reject: (error: unknown) => void;
}

export function createBatchDescriber({ batch, perSecond, gatherMs = GATHER_MS }: BatchDescriberOptions): BatchDescriber {
  const pace = new RateWindow(1, 1000 / perSecond);
  /** Ids not sent yet, in the order first asked, each with everyone waiting for it (Map keeps insertion order: first asked, first sent). */
  const pending = new Map<string, Waiter[]>();
  let armed = false;

  function arm(): void {
    if (armed || pending.size === 0) return;
    armed = true;
    // A full call need not wait for more; otherwise the window lets neighbours join.
    const delay = pace.reserve(pending.size >= DESCRIBE_MAX_IDS ? 0 : gatherMs);
    setTimeout(fire, delay);
  }

  function fire(): void {
    armed = false;
    const batchOf = new Map<string, Waiter[]>();
    for (const [id, waiters] of pending) {
      if (batchOf.size === DESCRIBE_MAX_IDS) break;
      batchOf.set(id, waiters);
      pending.delete(id);
    }
    arm();
    void send(batchOf);
  }

  async function send(waiting: Map<string, Waiter[]>): Promise<void> {
    let jobs: JobDetail[];
    try {
      const out = await batch.send(new DescribeJobsCommand({ jobs: [...waiting.keys()] }));
      jobs = out.jobs ?? [];
    } catch (error) {
      // Only this call's waiters fail (the SDK has already retried a throttled call); the queue goes on.
      for (const waiters of waiting.values()) for (const w of waiters) w.reject(error);
      return;
    }
    const byId = new Map<string, JobDetail>();
    for (const job of jobs) {
      if (job.jobId) byId.set(job.jobId, job);
      if (job.jobArn) byId.set(job.jobArn, job);
    }
    // Batch leaves out the ids it does not know: undefined, as a DescribeJobs of one would say.
    for (const [id, waiters] of waiting) for (const w of waiters) w.resolve(byId.get(id));
  }

  function describe(jobId: string): Promise<JobDetail | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = pending.get(jobId);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(jobId, [{ resolve, reject }]);
      arm();
    });
  }

  return {
    describe,
    describeMany: (jobIds) => Promise.all(jobIds.map(describe)),
  };
}
