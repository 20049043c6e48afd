/**
 * The runJob workflow's own logic, in seconds: its real code on the pinned Temporal dev server,
 * with stub activities that record what each process (workflow id) asked of them and answer as
 * its test configures them. The activities themselves are tested against PostgreSQL and the
 * local Batch executor in test/e2e/job-process.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { CancelledFailure, ScheduleOverlapPolicy, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities/index.js';
import type { BeginProcessInput, EndProcessInput, ProcessNoticeInput } from '../../activities/job-process.js';
import type { StepDefinitionInput } from '../../activities/step-definition.js';
import type { Job, Problem } from '../../catalog/job-definition.js';
import { RUN_JOB_WORKFLOW, slotFreedSignal, type RunJobInput, type RunJobResult, type ScheduledRunJobInput, type StepOutcome, type StepRun } from '../../contracts/job-process.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import { startDevServer } from '../support/dev-server.js';
import { eventually } from '../support/eventually.js';

const taskQueue = 'drover-run-job-tests';
const JOB_ID = 'herd-tally';
const VERSION = 4;
const PARAMETERS = { ranch: 'north', head: 120 };
const TRIGGERED_BY = 'cli:rosa';

const job: Job = {
  id: JOB_ID,
  name: 'Herd tally',
  description: 'Counts the herd, checks the count, publishes it',
  parameters: { type: 'object' },
  maxConcurrentProcesses: 2,
  notify: { onFailure: ['ops@ranch-analytics.example'], onSuccess: ['owner@ranch-analytics.example', 'vet@ranch-analytics.example'] },
  steps: [
    { name: 'count', command: ['python3', '-c', 'print(120)'], modules: [], vcpus: 1, memoryMiB: 512, timeoutSeconds: 600, attempts: 1, env: {} },
    { name: 'check', script: 'check.py', runtime: 'python3', modules: ['numpy'], vcpus: 2, memoryMiB: 2048, timeoutSeconds: 900, attempts: 2, arraySize: 3, env: { MODE: 'strict' } },
    { name: 'publish', script: 'publish.sh', runtime: 'bash', modules: [], vcpus: 1, memoryMiB: 1024, timeoutSeconds: 300, attempts: 1, env: {} },
  ],
};

/** The tasks every attempt's beginProcess names: all of the job's steps, written out here as the oracle. */
const TASKS = [
  { name: 'count', position: 0, vcpus: 1, memoryMiB: 512 },
  { name: 'check', position: 1, vcpus: 2, memoryMiB: 2048, arraySize: 3 },
  { name: 'publish', position: 2, vcpus: 1, memoryMiB: 1024 },
];

/** The definition the ensureStepDefinition stub names for a step, so runStep's can be checked against it. */
const definitionOf = (stepName: string) => `arn:drover-step-${JOB_ID}-v${VERSION}-${stepName}:1`;

/** How a process's stubs answer; each test sets its own before starting the workflow. */
interface Behaviour {
  job?: Job;
  /** A step's outcome by its name; SUCCEEDED when not given. */
  outcomes?: Record<string, StepOutcome>;
  /** tryClaimProcessSlot says false (queued) this many times before it grants the slot. */
  queuedClaims?: number;
  /** The step whose runStep heartbeats until it is cancelled. */
  holdStep?: string;
  /** The step whose job definition Batch refuses for good (runStep fails), with this message. */
  definitionRefused?: { step: string; message: string };
  /** checkProcessParameters refuses the parameters so. */
  parametersRefused?: { message: string; problems: Problem[] };
}

/** What a process's stubs were asked, in order. */
interface Trace {
  /** Each call (and what the held step saw) as it happened: `activity` or `activity:detail`. */
  events: string[];
  begin: BeginProcessInput[];
  checks: Array<{ jobId: string; version: number; parameters: Record<string, unknown> }>;
  claims: Array<{ processId: string; jobId: string; attempt: number; max: number }>;
  definitions: StepDefinitionInput[];
  runs: StepRun[];
  ends: EndProcessInput[];
  notices: ProcessNoticeInput[];
}

const behaviours = new Map<string, Behaviour>();
const traces = new Map<string, Trace>();

const processOf = () => Context.current().info.workflowExecution!.workflowId;
const behaviourOf = (id: string): Behaviour => behaviours.get(id) ?? {};
function trace(id: string): Trace {
  let t = traces.get(id);
  if (!t) traces.set(id, (t = { events: [], begin: [], checks: [], claims: [], definitions: [], runs: [], ends: [], notices: [] }));
  return t;
}

type StubbedActivities = Pick<Activities, 'loadProcessPlan' | 'beginProcess' | 'beginProcessAndClaim' | 'checkProcessParameters' | 'tryClaimProcessSlot' | 'ensureStepDefinition' | 'runStep' | 'endProcess' | 'sendProcessNotice'>;

const stubs: StubbedActivities = {
  async loadProcessPlan({ jobId, version }) {
    const t = trace(processOf());
    t.events.push('loadProcessPlan');
    const plan = behaviourOf(processOf()).job ?? job;
    // VERSION is the job's latest: a schedule's run, asking for no version, gets it.
    if (jobId !== plan.id || (version ?? VERSION) !== VERSION) throw ApplicationFailure.nonRetryable(`no ${jobId} version ${version}`, 'LEDGER_NOT_FOUND');
    return { job: plan, version: VERSION, heartbeatSeconds: 10 };
  },
  async beginProcess(input) {
    const t = trace(processOf());
    t.events.push('beginProcess');
    t.begin.push(input);
  },
  async beginProcessAndClaim({ max, ...input }) {
    const t = trace(processOf());
    t.events.push('beginProcessAndClaim');
    t.begin.push(input);
    t.claims.push({ processId: input.processId, jobId: input.jobId, attempt: input.attempt, max });
    return t.claims.length > (behaviourOf(processOf()).queuedClaims ?? 0);
  },
  async checkProcessParameters(input) {
    const t = trace(processOf());
    t.events.push('checkProcessParameters');
    t.checks.push(input);
    const refused = behaviourOf(processOf()).parametersRefused;
    return refused ? { ok: false, ...refused } : { ok: true };
  },
  async tryClaimProcessSlot(input) {
    const t = trace(processOf());
    t.events.push('tryClaimProcessSlot');
    t.claims.push(input);
    return t.claims.length > (behaviourOf(processOf()).queuedClaims ?? 0);
  },
  async ensureStepDefinition(input) {
    const t = trace(processOf());
    t.events.push(`ensureStepDefinition:${input.step.name}`);
    t.definitions.push(input);
    const refused = behaviourOf(processOf()).definitionRefused;
    if (refused?.step === input.step.name) throw ApplicationFailure.nonRetryable(refused.message, 'ClientException');
    return definitionOf(input.step.name);
  },
  async runStep(input) {
    const id = processOf();
    const t = trace(id);
    const name = input.step.name;
    t.events.push(`runStep:${name}`);
    t.runs.push(input);
    // runStep registers its step's job definition first: Batch refusing it is a failure for good.
    const refused = behaviourOf(id).definitionRefused;
    if (refused?.step === name) throw ApplicationFailure.nonRetryable(refused.message, 'ClientException');
    if (behaviourOf(id).holdStep === name) {
      const ctx = Context.current();
      t.events.push(`runStep:${name}:holding`);
      try {
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(100);
        }
      } catch (err) {
        if (err instanceof CancelledFailure) t.events.push(`runStep:${name}:saw-cancel`);
        throw err;
      }
    }
    return behaviourOf(id).outcomes?.[name] ?? { status: 'SUCCEEDED', batchJobId: `batch-${id}-${name}`, exitCode: 0, reason: null };
  },
  async endProcess(input) {
    const t = trace(processOf());
    t.events.push(`endProcess:${input.status}`);
    t.ends.push(input);
  },
  async sendProcessNotice(input) {
    const t = trace(processOf());
    t.events.push(`sendProcessNotice:${input.status}`);
    t.notices.push(input);
    // As the real activity: no one to tell, no notice.
    return input.to.length === 0 ? undefined : { messageId: `msg-${t.notices.length}` };
  },
};

/** The notices that reached someone: the real activity sends nothing to an empty list. */
const addressed = (t: Trace) => t.notices.filter((n) => n.to.length > 0);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  ({ env } = await startDevServer());
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: stubs,
    // A cancel reaches the held step at its next heartbeat: within a fraction of a second.
    maxHeartbeatThrottleInterval: '200 milliseconds',
    defaultHeartbeatThrottleInterval: '200 milliseconds',
  });
  running = worker.run();
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

function inputFor(processId: string, extra: Partial<RunJobInput> = {}): RunJobInput {
  return { processId, jobId: JOB_ID, version: VERSION, parameters: PARAMETERS, triggeredBy: TRIGGERED_BY, ...extra };
}

async function start(processId: string, behaviour: Behaviour, extra: Partial<RunJobInput> = {}, workflowId = processId): Promise<WorkflowHandle> {
  behaviours.set(workflowId, behaviour);
  return env.client.workflow.start(RUN_JOB_WORKFLOW, { taskQueue, workflowId, args: [inputFor(processId, extra)] });
}

/** The ApplicationFailure a workflow failed with; fails the test when it did not fail so. */
async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** The runStep input the workflow should send for `job.steps[position]`. */
function stepRun(processId: string, position: number, attempt = 1): StepRun {
  const step = job.steps[position]!;
  return { processId, attempt, jobId: JOB_ID, version: VERSION, position, step, parameters: PARAMETERS };
}

describe('runJob with stub activities', () => {
  it('runs every step in order, each run with its position and parameters, and ends SUCCEEDED with a notice to onSuccess', async () => {
    const id = 'herd-tally-20250301-060000-a1b2c3';
    const handle = await start(id, {});
    const result = (await handle.result()) as RunJobResult;
    expect(result).toEqual({ processId: id, status: 'SUCCEEDED', attempt: 1 });

    const t = trace(id);
    expect(t.events).toEqual([
      'loadProcessPlan',
      'beginProcessAndClaim',
      'runStep:count',
      'runStep:check',
      'runStep:publish',
      'endProcess:SUCCEEDED',
      'sendProcessNotice:SUCCEEDED',
    ]);
    expect(t.begin).toEqual([{ processId: id, jobId: JOB_ID, version: VERSION, triggeredBy: TRIGGERED_BY, parameters: PARAMETERS, attempt: 1, fromPosition: 0, tasks: TASKS }]);
    expect(t.claims).toEqual([{ processId: id, jobId: JOB_ID, attempt: 1, max: 2 }]);
    // Each step's activity defines its own job definition: no round trip of its own.
    expect(t.definitions).toEqual([]);
    expect(t.runs).toEqual([stepRun(id, 0), stepRun(id, 1), stepRun(id, 2)]);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'SUCCEEDED' }]);
    expect(addressed(t)).toEqual([{ processId: id, attempt: 1, jobId: JOB_ID, jobName: 'Herd tally', status: 'SUCCEEDED', to: job.notify.onSuccess }]);
  });

  it('sends no notice on success when onSuccess names no one', async () => {
    const id = 'herd-tally-20250301-060100-a1b2c4';
    const handle = await start(id, { job: { ...job, notify: { onFailure: job.notify.onFailure, onSuccess: [] } } });
    expect(((await handle.result()) as RunJobResult).status).toBe('SUCCEEDED');
    const t = trace(id);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'SUCCEEDED' }]);
    expect(t.runs.map((r) => r.step.name)).toEqual(['count', 'check', 'publish']);
    // Not even asked: a notice to no one is no activity.
    expect(t.notices).toEqual([]);
  });

  it('a FAILED step 2 fails the process in that task with its reason, never runs step 3, tells onFailure, and fails PROCESS_FAILED', async () => {
    const id = 'herd-tally-20250301-060200-a1b2c5';
    const reason = 'Essential container in task exited (exit code 3)';
    const handle = await start(id, { outcomes: { check: { status: 'FAILED', batchJobId: 'batch-check', exitCode: 3, reason } } });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('PROCESS_FAILED');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`task check failed: ${reason}`);

    const t = trace(id);
    expect(t.events).toEqual([
      'loadProcessPlan',
      'beginProcessAndClaim',
      'runStep:count',
      'runStep:check',
      'endProcess:FAILED',
      'sendProcessNotice:FAILED',
    ]);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'FAILED', failedTask: 'check', reason }]);
    expect(t.notices).toEqual([{ processId: id, attempt: 1, jobId: JOB_ID, jobName: 'Herd tally', status: 'FAILED', to: job.notify.onFailure, failedTask: 'check', reason }]);
  });

  it('a retry (attempt 2 from the second step) skips the first step and begins the attempt from position 1', async () => {
    const id = 'herd-tally-20250301-060300-a1b2c6';
    const handle = await start(id, {}, { attempt: 2, resumeFrom: 'check' });
    expect(await handle.result()).toEqual({ processId: id, status: 'SUCCEEDED', attempt: 2 });

    const t = trace(id);
    expect(t.begin).toEqual([{ processId: id, jobId: JOB_ID, version: VERSION, triggeredBy: TRIGGERED_BY, parameters: PARAMETERS, attempt: 2, fromPosition: 1, tasks: TASKS }]);
    expect(t.claims).toEqual([{ processId: id, jobId: JOB_ID, attempt: 2, max: 2 }]);
    expect(t.definitions).toEqual([]);
    expect(t.runs).toEqual([stepRun(id, 1, 2), stepRun(id, 2, 2)]);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 2, status: 'SUCCEEDED' }]);
  });

  describe('refuses input it cannot run, at once and for good', () => {
    it('resumeFrom naming no step of the job version', async () => {
      const id = 'herd-tally-20250301-060400-a1b2c7';
      const failure = await failureOf(await start(id, {}, { attempt: 2, resumeFrom: 'brand' }));
      expect(failure.type).toBe('PROCESS_INPUT_INVALID');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(`${JOB_ID} version ${VERSION} has no step brand`);
      // The plan was read to find the step; nothing was recorded or run.
      expect(trace(id).events).toEqual(['loadProcessPlan']);
    });

    it('a processId that is not the workflow id', async () => {
      const workflowId = 'herd-tally-20250301-060500-a1b2c8';
      const failure = await failureOf(await start('herd-tally-20250301-060500-ffffff', {}, {}, workflowId));
      expect(failure.type).toBe('PROCESS_INPUT_INVALID');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`is not the workflow id ${workflowId}`);
      expect(trace(workflowId).events).toEqual([]);
    });

    it('version 0', async () => {
      const id = 'herd-tally-20250301-060600-a1b2c9';
      const failure = await failureOf(await start(id, {}, { version: 0 }));
      expect(failure.type).toBe('PROCESS_INPUT_INVALID');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe('version 0 is not a version number');
      expect(trace(id).events).toEqual([]);
    });
  });

  it('a queued process runs once told a slot is its own, without asking again', async () => {
    const id = 'herd-tally-20250301-060700-a1b2ca';
    const handle = await start(id, { queuedClaims: 2 });
    // A process that ends hands its slot to the oldest queued one and tells it so: it runs without asking again.
    await eventually('the first claim', () => trace(id).claims.length === 1);
    await handle.signal(slotFreedSignal);
    expect(((await handle.result()) as RunJobResult).status).toBe('SUCCEEDED');

    const t = trace(id);
    expect(t.claims).toHaveLength(1);
    expect(t.claims.every((c) => c.processId === id && c.max === 2 && c.attempt === 1)).toBe(true);
    expect(t.events.slice(0, 3)).toEqual(['loadProcessPlan', 'beginProcessAndClaim', 'runStep:count']);
    expect(t.runs.map((r) => r.step.name)).toEqual(['count', 'check', 'publish']);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'SUCCEEDED' }]);
  });

  it('a queued process told nothing asks for its slot again when its wait runs out', async () => {
    const id = 'herd-tally-20250301-060710-a1b2cf';
    const handle = await start(id, { queuedClaims: 1 });
    // No signal (the process ahead died without ending): after its wait, it asks, gets the slot and runs.
    expect(((await handle.result()) as RunJobResult).status).toBe('SUCCEEDED');
    const t = trace(id);
    expect(t.events.slice(0, 4)).toEqual(['loadProcessPlan', 'beginProcessAndClaim', 'tryClaimProcessSlot', 'runStep:count']);
    expect(t.claims).toHaveLength(2);
  }, 60_000);

  it('a cancel while a step runs waits for the step to stop, then ends the process CANCELLED and the workflow cancelled', async () => {
    const id = 'herd-tally-20250301-060800-a1b2cb';
    const handle = await start(id, { holdStep: 'check' });
    await eventually('step check to be running', () => trace(id).events.includes('runStep:check:holding'));
    await handle.cancel();

    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');

    const t = trace(id);
    expect(t.events).toEqual([
      'loadProcessPlan',
      'beginProcessAndClaim',
      'runStep:count',
      'runStep:check',
      'runStep:check:holding',
      // The step's Batch job is terminated (the stub saw the cancel) before the process ends.
      'runStep:check:saw-cancel',
      'endProcess:CANCELLED',
      'sendProcessNotice:CANCELLED',
    ]);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'CANCELLED', reason: 'cancelled' }]);
    expect(t.notices).toEqual([{ processId: id, attempt: 1, jobId: JOB_ID, jobName: 'Herd tally', status: 'CANCELLED', to: job.notify.onFailure, reason: 'cancelled during check' }]);
  });

  it('an activity that fails for good fails the process in the step it was in, with its message', async () => {
    const id = 'herd-tally-20250301-060900-a1b2cc';
    const message = 'Error executing request, Exception : Container properties should not be empty';
    const handle = await start(id, { definitionRefused: { step: 'check', message } });
    const failure = await failureOf(handle);
    expect(failure.type).toBe('PROCESS_FAILED');
    expect(failure.message).toBe(`task check failed: ${message}`);

    const t = trace(id);
    // Refused for good: asked once, not retried; the next step never reached.
    expect(t.runs.map((r) => r.step.name)).toEqual(['count', 'check']);
    expect(t.ends).toEqual([{ processId: id, jobId: JOB_ID, max: 2, attempt: 1, status: 'FAILED', failedTask: 'check', reason: message }]);
    expect(t.notices).toEqual([{ processId: id, attempt: 1, jobId: JOB_ID, jobName: 'Herd tally', status: 'FAILED', to: job.notify.onFailure, failedTask: 'check', reason: message }]);
  });
});

describe('runJob started by a Temporal Schedule', () => {
  const SCHEDULED_PARAMETERS = { day: '{{scheduledDate}}', at: '{{scheduledTime}}', files: ['in/{{scheduledDate}}.csv'], ranch: 'north' };

  it('takes its workflow id as the process id and the latest version, fills the placeholders from its nominal time in the schedule\'s zone, and checks the parameters before any step', async () => {
    const scheduleId = 'herd-nightly';
    // 23:30 in Chicago on 7 March 2026 (CST, UTC-6) is 05:30 UTC on the 8th: the oracle, worked out by hand.
    const nominal = '2026-03-08T05:30:00Z';
    const workflowId = `${scheduleId}-${nominal}`;
    const action: ScheduledRunJobInput = { jobId: JOB_ID, parameters: SCHEDULED_PARAMETERS, triggeredBy: `schedule:${scheduleId}`, scheduleTimezone: 'America/Chicago' };
    const schedule = await env.client.schedule.create({
      scheduleId,
      spec: { cronExpressions: ['30 23 * * *'], timezone: 'America/Chicago' },
      action: { type: 'startWorkflow', workflowType: RUN_JOB_WORKFLOW, taskQueue, workflowId: scheduleId, args: [action] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      state: { paused: true },
    });
    try {
      await schedule.backfill({ start: new Date(nominal), end: new Date(nominal), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      const handle = env.client.workflow.getHandle(await eventually('the backfilled run', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId));
      expect(handle.workflowId).toBe(workflowId);
      expect(await handle.result()).toEqual({ processId: workflowId, status: 'SUCCEEDED', attempt: 1 });

      const rendered = { day: '2026-03-07', at: nominal, files: ['in/2026-03-07.csv'], ranch: 'north' };
      const t = trace(workflowId);
      expect(t.events.slice(0, 4)).toEqual(['loadProcessPlan', 'beginProcessAndClaim', 'checkProcessParameters', 'runStep:count']);
      expect(t.begin).toEqual([{ processId: workflowId, jobId: JOB_ID, version: VERSION, triggeredBy: `schedule:${scheduleId}`, parameters: rendered, attempt: 1, fromPosition: 0, tasks: TASKS }]);
      expect(t.checks).toEqual([{ jobId: JOB_ID, version: VERSION, parameters: rendered }]);
      expect(t.runs.map((r) => [r.step.name, r.version, r.parameters])).toEqual(job.steps.map((step) => [step.name, VERSION, rendered]));
    } finally {
      await schedule.delete();
    }
  });

  it('parameters the job refuses once filled fail the process JOB_PARAMETERS_INVALID, recorded FAILED with the field named, before any step', async () => {
    const workflowId = 'herd-nightly-2026-03-09T05:30:00Z';
    const refused = { message: 'parameters of herd-tally refused: /day must match format "date"', problems: [{ path: '/day', message: 'must match format "date"' }] };
    behaviours.set(workflowId, { parametersRefused: refused });
    const input: ScheduledRunJobInput = { jobId: JOB_ID, parameters: { day: 'day {{scheduledDate}}' }, triggeredBy: 'schedule:herd-nightly' };
    const failure = await failureOf(await env.client.workflow.start(RUN_JOB_WORKFLOW, { taskQueue, workflowId, args: [input] }));
    expect(failure.type).toBe('JOB_PARAMETERS_INVALID');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(refused.message);
    expect(failure.details).toEqual(refused.problems);

    const t = trace(workflowId);
    expect(t.events).toEqual(['loadProcessPlan', 'beginProcessAndClaim', 'checkProcessParameters', 'endProcess:FAILED', 'sendProcessNotice:FAILED']);
    expect(t.ends).toEqual([{ processId: workflowId, jobId: JOB_ID, max: 2, attempt: 1, status: 'FAILED', reason: refused.message }]);
    expect(t.notices).toEqual([{ processId: workflowId, attempt: 1, jobId: JOB_ID, jobName: 'Herd tally', status: 'FAILED', to: job.notify.onFailure, reason: refused.message }]);
  });

  it('a scheduleTimezone that is no time zone is refused for good, before anything is read or recorded', async () => {
    const workflowId = 'herd-nightly-2026-03-10T05:30:00Z';
    const input: ScheduledRunJobInput = { jobId: JOB_ID, parameters: { day: '{{scheduledDate}}' }, triggeredBy: 'schedule:herd-nightly', scheduleTimezone: 'Mars/Olympus_Mons' };
    const failure = await failureOf(await env.client.workflow.start(RUN_JOB_WORKFLOW, { taskQueue, workflowId, args: [input] }));
    expect(failure.type).toBe('PROCESS_INPUT_INVALID');
    expect(failure.message).toContain('scheduleTimezone');
    expect(trace(workflowId).events).toEqual([]);
  });
});
