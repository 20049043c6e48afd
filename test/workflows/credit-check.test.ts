import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListJobsCommand, type JobStatus } from '@aws-sdk/client-batch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { createActivities } from '../../activities/index.js';
import type { SweepResult } from '../../activities/sweep.js';
import { fetchSentEmails } from '../../cli/mailbox.js';
import { PortalDataset } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import {
  pauseSignal,
  progressQuery,
  resumeSignal,
  setMaxInFlightSignal,
  setSourceLimitSignal,
  type CreditCheckInput,
  type CreditCheckResult,
} from '../../workflows/definitions.js';
import { portalStats } from '../../bench/portal-stats.js';
import { readBudgetState, setBudgetControl } from '../../budget/index.js';
import { startDevServer } from '../support/dev-server.js';
import { eventually } from '../support/eventually.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let worker: Worker;
let running: Promise<void>;
let serialWorker: Worker | undefined;
let serialRunning: Promise<void> | undefined;
const taskQueue = 'drover-workflow-tests';
const scratch = mkdtempSync(join(tmpdir(), 'drover-wf-'));
const dataset = new PortalDataset({ seed: 42 });

beforeAll(async () => {
  let address: string;
  ({ env, address } = await startDevServer());
  stack = await startTestStack({
    worker: false,
    temporal: { address, namespace: 'default', ui: 'http://127.0.0.1:1' },
    // Small chunks make several array jobs out of a few dozen customers; the latency keeps them running long enough to act on.
    env: { DROVER_CHUNK_SIZE: '10', DROVER_RECORDS_PER_CHILD: '5', DROVER_PORTAL_LATENCY_MS: '150', TEMPORAL_TASK_QUEUE: taskQueue },
  });
  // The stack's trigger would start runs for incoming/ uploads; these tests start their own.
  await stack.services.get('trigger')!.stop();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ aws: stack.aws, config: stack.config, temporal: env.client }),
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  });
  running = worker.run();
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  serialWorker?.shutdown();
  await running;
  await serialRunning;
  await stack?.close();
  await env?.teardown();
});

async function uploadCustomers(name: string, n: number): Promise<CreditCheckInput> {
  const path = join(scratch, name);
  await writeCustomerWorkbook(path, dataset.customers(n));
  const key = `manual/${name}`;
  const out = await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.file.aws.bucket, Key: key, Body: readFileSync(path) }));
  return { bucket: stack.file.aws.bucket, key, etag: out.ETag!, notify: 'organizer@ranch-analytics.example', maxInFlight: 1 };
}

/** Where the run's history has its first `name` activity scheduled, completed and cancelled: an event's index, or -1. */
async function activityEvents(handle: WorkflowHandle, name: string): Promise<{ scheduled: number; completed: number; canceled: number; signals: string[] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name);
  const id = String(events[scheduled]?.eventId ?? 'none');
  return {
    scheduled,
    completed: events.findIndex((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === id),
    canceled: events.findIndex((e) => String(e.activityTaskCanceledEventAttributes?.scheduledEventId ?? '') === id),
    signals: events.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []),
  };
}

/** Jobs not ended on the queue; with a run id, only that run's array jobs (not their children). */
async function activeJobs(runId?: string): Promise<number> {
  let n = 0;
  for (const jobStatus of ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'] as JobStatus[]) {
    const out = await stack.aws.batch.send(new ListJobsCommand({ jobQueue: stack.file.batch.jobQueue, jobStatus }));
    const jobs = out.jobSummaryList ?? [];
    n += runId === undefined ? jobs.length : jobs.filter((j) => j.jobName?.startsWith(`drover-${runId}-chunk-`) && !j.jobId?.includes(':')).length;
  }
  return n;
}

describe('creditCheck on a real Temporal dev server', () => {
  it('refuses input it cannot use, without retrying, and names each problem', async () => {
    const err = await env.client.workflow
      .execute('creditCheck', { taskQueue, workflowId: 'bad-input', args: [{ bucket: '', key: '', etag: '', notify: 'nobody' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RUN_INPUT_INVALID');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toBe('invalid input: bucket is missing; key is missing; notify must be an email address');
  });

  it('holds new array jobs while paused, takes a new limit, and finishes after resume', async () => {
    const input = await uploadCustomers('paused.xlsx', 30);
    const handle = await env.client.workflow.signalWithStart('creditCheck', {
      taskQueue,
      workflowId: 'paused-run',
      args: [input],
      signal: pauseSignal,
      signalArgs: [],
    });
    const held = await eventually('the run to reach the scrape stage', async () => {
      const p = await handle.query(progressQuery);
      return p.stage === 'scrape' ? p : undefined;
    });
    expect(held).toMatchObject({ total: 30, done: 0, paused: true, maxInFlight: 1, chunks: { total: 3, done: 0, running: 0 } });
    expect(await activeJobs()).toBe(0);

    await handle.signal(setMaxInFlightSignal, 2);
    expect((await handle.query(progressQuery)).maxInFlight).toBe(2);
    await handle.signal(resumeSignal);
    const result = (await handle.result()) as CreditCheckResult;
    expect(result.customers).toBe(30);
    expect(await handle.query(progressQuery)).toMatchObject({ total: 30, done: 30, failed: 0, stage: 'done', paused: false, chunks: { total: 3, done: 3, running: 0 } });
  }, 180_000);

  it('holds the source budget on pause {source: true}: the jobs wait, the source goes quiet, and resume finishes the run', async () => {
    const input = await uploadCustomers('source-paused.xlsx', 60);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: 'source-paused-run', args: [{ ...input, maxInFlight: 2 }] });
    const table = 'drover-run-source-paused-run';
    await eventually('an array job to be submitted', async () => (await handle.query(progressQuery)).chunks.running > 0);
    await handle.signal(pauseSignal, { source: true });
    expect(await handle.query(progressQuery)).toMatchObject({ paused: true, sourcePaused: true });
    await handle.signal(setMaxInFlightSignal, { jobs: 3, source: 7 });
    await eventually('the held budget with its new limit', async () => {
      const s = await readBudgetState(stack.aws.dynamodb, table);
      return s.paused && s.limit === 7 && s.inFlight === 0;
    });
    const quiet = await eventually('the source to go quiet', async () => {
      const p = await portalStats(stack.file.portal.url);
      return p.inFlight === 0 ? p.requests : undefined;
    });
    // The polling activity reports the budget every few seconds: by then a child not held would have sent more.
    const reported = await eventually('the held budget in progress', async () => {
      const p = await handle.query(progressQuery);
      return p.source?.limit === 7 && p.source.inFlight === 0 ? p : undefined;
    });
    expect(reported).toMatchObject({ stage: 'scrape', maxInFlight: 3, sourcePaused: true });
    expect(reported.done).toBeLessThan(60);
    expect(await activeJobs()).toBeGreaterThan(0);
    expect((await portalStats(stack.file.portal.url)).requests).toBe(quiet);

    await handle.signal(resumeSignal);
    const result = (await handle.result()) as CreditCheckResult;
    expect(result.customers).toBe(60);
    expect(result.byRating.ERROR ?? 0).toBe(0);
    expect(await handle.query(progressQuery)).toMatchObject({ done: 60, paused: false, sourcePaused: false });
    expect((await portalStats(stack.file.portal.url)).requests).toBeGreaterThan(quiet);
  }, 180_000);

  it('shows the shared source budget in progress, and takes a new limit for it', async () => {
    const input = await uploadCustomers('budget.xlsx', 120);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: 'budget-run', args: [{ ...input, maxInFlight: 2 }] });
    const first = await eventually('the budget in progress', async () => (await handle.query(progressQuery)).source);
    // The fan-out plan: DROVER_RECORDS_PER_CHILD=5 as set, 2 chunks at once (maxInFlight) of 2 children each, and
    // the requests per child planned so the 4 children Batch runs at once fill the budget of 50.
    expect((await handle.query(progressQuery)).plan).toMatchObject({
      budget: 50, capacity: 4, chunksAtOnce: 2, recordsPerChild: 5, childrenPerChunk: 2, childrenAtOnce: 4, childConcurrency: 13, reach: 50,
      from: { recordsPerChild: 'setting', childConcurrency: 'plan' }, notes: [],
    });
    expect(first.limit).toBe(50);
    expect(first.inFlight).toBeGreaterThanOrEqual(0);
    expect(first.inFlight).toBeLessThanOrEqual(50);
    expect(first.throttled429).toBe(0);
    await handle.signal(setSourceLimitSignal, 3);
    await eventually('the new limit in progress', async () => (await handle.query(progressQuery)).source?.limit === 3);
    const result = (await handle.result()) as CreditCheckResult;
    expect(result.customers).toBe(120);
  }, 180_000);

  it('leaves what a terminated run made for the sweeper, which removes it', async () => {
    const input = await uploadCustomers('terminated.xlsx', 120);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: 'terminated-run', args: [input] });
    const tables = async () => ((await stack.aws.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []).filter((t) => t.endsWith('terminated-run'));
    const tmp = async () => ((await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: 'tmp/terminated-run/' }))).Contents ?? []).length;
    // The run's budget held in its table, as an operator could: its children get no slots, so
    // every array job it submits stays running, whatever the machine's speed. The workflow
    // itself is not paused, and goes on submitting them.
    await eventually('the run\'s budget to be held', () =>
      setBudgetControl(stack.aws.dynamodb, 'drover-run-terminated-run', { paused: true }, { maxConcurrency: stack.config.source.maxConcurrency }).then(
        () => true,
        () => false,
      ),
    );
    // Ingest done, so everything the run will make is made: a terminated ingest would write on until its next heartbeat.
    // The run's own job, submitted: a job scheduled but not yet submitted would be submitted after the sweep.
    await eventually('ingest to be done and the run\'s array job submitted', async () => (await activityEvents(handle, 'ingest')).completed >= 0 && (await activeJobs('terminated-run')) > 0);
    await handle.terminate('test: no chance to compensate');
    expect(await tables()).toEqual(['drover-run-terminated-run']);
    const objects = await tmp();
    expect(objects).toBeGreaterThan(0);
    expect(await activeJobs('terminated-run')).toBe(1);

    // The runs before this one cleaned up after themselves: the terminated run's leftovers are all there is to sweep.
    const swept = (await env.client.workflow.execute('sweeper', { taskQueue, workflowId: 'sweep-once' })) as SweepResult;
    expect(swept).toMatchObject({ runs: ['terminated-run'], tables: 1, objects });
    // Its one job is ended by the sweeper, unless its own activity got there first: at its next heartbeat the activity
    // learns that the run is gone and terminates the job it watches. Which comes first is a race, so the sweep ends 1 or 0.
    expect([0, 1]).toContain(swept.jobs);
    expect(await tables()).toEqual([]);
    expect(await tmp()).toBe(0);
    expect(await activeJobs()).toBe(0);
  }, 180_000);

  it('starts a chunk\'s array job while ingest still reads the sheet, and a cancel then stops both and removes what they made', async () => {
    // 5,000 customers in chunks of 10: ingest stores 500 chunks, one after another, so the
    // first chunk's job is scheduled long before the last chunk is stored.
    const input = await uploadCustomers('overlap.xlsx', 5_000);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: 'overlap-run', args: [input] });
    const firstJob = await eventually('the first array job to be scheduled', async () => {
      const job = (await activityEvents(handle, 'runArrayJob')).scheduled;
      return job >= 0 && job;
    });
    const ingest = await activityEvents(handle, 'ingest');
    expect(ingest.completed).toBe(-1);
    expect(ingest.signals).toContain('chunkReady');

    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    // Ingest stopped on the cancel, rather than running on after the compensation.
    expect((await activityEvents(handle, 'ingest')).canceled).toBeGreaterThan(firstJob);
    expect(await activeJobs()).toBe(0);
    const tables = await stack.aws.dynamodb.send(new ListTablesCommand({}));
    expect(tables.TableNames?.filter((t) => t.includes('overlap-run'))).toEqual([]);
    const objects = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: input.bucket }));
    expect((objects.Contents ?? []).map((o) => o.Key!).filter((k) => k.includes('overlap-run'))).toEqual([]);
  }, 180_000);

  it('with DROVER_OVERLAP_STAGES=false runs ingest, the array jobs and the report one after another', async () => {
    // A worker of its own, configured as DROVER_OVERLAP_STAGES=false would configure it.
    const serialQueue = `${taskQueue}-serial`;
    const config = { ...stack.config, batch: { ...stack.config.batch, overlapStages: false } };
    serialWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: serialQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities: createActivities({ aws: stack.aws, config, temporal: env.client }),
    });
    serialRunning = serialWorker.run();
    const input = await uploadCustomers('serial.xlsx', 30);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue: serialQueue, workflowId: 'serial-run', args: [{ ...input, maxInFlight: 3 }] });
    const result = (await handle.result()) as CreditCheckResult;
    expect(result.customers).toBe(30);

    const events = (await handle.fetchHistory()).events ?? [];
    const typeOf = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name]] : [])));
    const at = (kind: 'scheduled' | 'completed', name: string) =>
      events.flatMap((e, i) => {
        if (kind === 'scheduled') return e.activityTaskScheduledEventAttributes?.activityType?.name === name ? [i] : [];
        return typeOf.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')) === name ? [i] : [];
      });
    // 30 customers in chunks of 10: three array jobs, all scheduled once ingest has ended, and the report once they have.
    expect(at('completed', 'ingest')).toHaveLength(1);
    expect(at('scheduled', 'runArrayJob')).toHaveLength(3);
    expect(Math.min(...at('scheduled', 'runArrayJob'))).toBeGreaterThan(at('completed', 'ingest')[0]!);
    expect(at('scheduled', 'buildReport')).toHaveLength(1);
    expect(at('scheduled', 'buildReport')[0]).toBeGreaterThan(Math.max(...at('completed', 'runArrayJob')));
    expect(result.stageSeconds.scrape).toBeGreaterThan(0);
  }, 180_000);

  it('on cancel terminates its Batch jobs, removes its table and files, emails why, and ends CANCELLED', async () => {
    const input = await uploadCustomers('cancelled.xlsx', 120);
    const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: 'cancelled-run', args: [input] });
    await eventually('an array job to be running', async () => {
      const p = await handle.query(progressQuery);
      return p.chunks.running > 0 && p.chunks.done >= 1 && (await activeJobs()) > 0;
    });
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');

    expect(await activeJobs()).toBe(0);
    const tables = await stack.aws.dynamodb.send(new ListTablesCommand({}));
    expect(tables.TableNames?.filter((t) => t.includes('cancelled-run'))).toEqual([]);
    const objects = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: input.bucket }));
    const keys = (objects.Contents ?? []).map((o) => o.Key!);
    expect(keys.filter((k) => k.includes('cancelled-run') || k === input.key)).toEqual([]);
    expect(keys).toContain('failed/manual/cancelled.xlsx');

    const notices = (await fetchSentEmails(stack.file.aws.endpoint)).filter((m) => m.raw.includes('cancelled-run'));
    expect(notices).toHaveLength(1);
    const mail = await simpleParser(notices[0]!.raw);
    expect(mail.subject).toMatch(/cancel/i);
    expect(mail.text).toMatch(/scrape/);
    expect(mail.text).toMatch(/120/);
  }, 180_000);
});
