/**
 * One process of a catalog job: its steps in order, each a Batch job, tracked in the ledger.
 * A failed step fails the process and skips the rest; a retry is the next attempt of the same
 * process (same workflow id) and starts at the step that failed; a cancel terminates the
 * running job and ends the process CANCELLED.
 *
 * A Temporal Schedule starts it too (control/schedules.ts): without a process id (the workflow
 * id is taken) or a version (the latest is), with parameters that may hold placeholders of
 * the run's nominal time. What no front end checked, the workflow checks against the job's
 * parameter schema before any step runs.
 */
import { ActivityCancellationType, ApplicationFailure, CancellationScope, condition, isCancellation, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ProcessNoticeInput } from '../activities/job-process.js';
import { hasPlaceholders, renderPlaceholders } from '../catalog/schedule-placeholders.js';
import { timezoneProblem } from '../catalog/time-zone.js';
import { rootMessage } from '../errors/root-message.js';
import { ScheduledStartTimeAttribute, slotFreedSignal, type RunJobInput, type RunJobResult, type ScheduledRunJobInput } from '../contracts/job-process.js';

const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

// A queued process asks for its slot again every few seconds until one frees; however long that takes.
const queue = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 1.5, maximumInterval: '5s', nonRetryableErrorTypes: ['LEDGER_UNAVAILABLE', 'LEDGER_NOT_FOUND'] },
});

/**
 * A queued process waits for slotFreedSignal, and asks again at least this often: the signal
 * is best effort, and a process ahead that died without ending frees its slot only when asked.
 */
const SLOT_RECHECK = '15 seconds';

/**
 * Runs started since this patch take fewer round trips: the slot is claimed as the process
 * begins, a step's activity defines its own job definition, a notice is sent only to someone,
 * and a queued process waits for slotFreedSignal. Runs started before it keep their sequence.
 */
const LEAN_PROCESS_PATCH = 'lean-process';

const registry = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * The step watcher heartbeats each poll; a worker that dies mid-step is noticed within the
 * heartbeat timeout, and the retry re-attaches to the same Batch job. The step's own timeout
 * is Batch's (per attempt), so the activity has no start-to-close limit of its own.
 */
function stepRunner(heartbeatSeconds: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30 days',
    heartbeatTimeout: `${heartbeatSeconds} seconds`,
    // A cancelled process ends once its Batch job has been terminated, not before.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  });
}

function bad(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'PROCESS_INPUT_INVALID');
}

type CheckedInput = ScheduledRunJobInput & { processId: string; attempt: number };

function checkInput(input: RunJobInput | ScheduledRunJobInput): CheckedInput {
  if (typeof input !== 'object' || input === null) bad('runJob takes one object: {processId, jobId, version, parameters, triggeredBy}');
  const { jobId, version, attempt = 1 } = input;
  const { workflowId } = workflowInfo();
  const processId = input.processId ?? workflowId;
  if (processId !== workflowId) bad(`processId ${processId} is not the workflow id ${workflowId}: a process is its workflow`);
  if (typeof jobId !== 'string' || jobId === '') bad('jobId is missing');
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) bad(`version ${String(version)} is not a version number`);
  if (!Number.isInteger(attempt) || attempt < 1) bad(`attempt ${String(attempt)} is not an attempt number`);
  if (typeof input.parameters !== 'object' || input.parameters === null || Array.isArray(input.parameters)) bad('parameters must be an object');
  if (typeof input.triggeredBy !== 'string' || input.triggeredBy === '') bad('triggeredBy is missing');
  if ('scheduleTimezone' in input && input.scheduleTimezone !== undefined) {
    const problem = typeof input.scheduleTimezone === 'string' ? timezoneProblem(input.scheduleTimezone) : 'is not a string';
    if (problem) bad(`scheduleTimezone: ${problem}`);
  }
  return { ...input, processId, attempt };
}

/** When the run was meant for: the nominal time its Schedule gave it, or (fired by other means) when its workflow started. */
function nominalTime(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(ScheduledStartTimeAttribute) ?? info.startTime;
}

/** Waits for a slot of the job: handed over by a process that ends (slotFreedSignal), or claimed when the wait runs out. */
async function waitForSlot(claim: { processId: string; jobId: string; attempt: number; max: number }): Promise<void> {
  let woken = false;
  setHandler(slotFreedSignal, () => {
    woken = true;
  });
  for (;;) {
    // The signal comes once the slot is this process's (grantFreeSlots): nothing to ask then.
    if (await condition(() => woken, SLOT_RECHECK)) return;
    if (await queue.tryClaimProcessSlot(claim)) return;
  }
}

export async function runJob(raw: RunJobInput | ScheduledRunJobInput): Promise<RunJobResult> {
  const input = checkInput(raw);
  const { processId, jobId, attempt } = input;
  const parameters = hasPlaceholders(input.parameters) ? renderPlaceholders(input.parameters, { time: nominalTime(), timezone: input.scheduleTimezone ?? 'UTC' }) : input.parameters;
  const { job, heartbeatSeconds, version } = await registry.loadProcessPlan({ jobId, version: input.version });
  const from = input.resumeFrom === undefined ? 0 : job.steps.findIndex((s) => s.name === input.resumeFrom);
  if (from < 0) bad(`${jobId} version ${version} has no step ${input.resumeFrom}`);

  const lean = patched(LEAN_PROCESS_PATCH);
  const begin = {
    processId,
    jobId,
    version,
    triggeredBy: input.triggeredBy,
    parameters,
    attempt,
    fromPosition: from,
    tasks: job.steps.map((s, position) => ({ name: s.name, position, vcpus: s.vcpus, memoryMiB: s.memoryMiB, ...(s.arraySize ? { arraySize: s.arraySize } : {}) })),
  };
  const claim = { processId, jobId, attempt, max: job.maxConcurrentProcesses };
  let slot = false;
  if (lean) slot = await ledger.beginProcessAndClaim({ ...begin, max: claim.max });
  else await ledger.beginProcess(begin);
  const notify = async (notice: Omit<ProcessNoticeInput, 'processId' | 'attempt' | 'jobId' | 'jobName'>) => {
    if (lean && notice.to.length === 0) return;
    await ledger.sendProcessNotice({ processId, attempt, jobId, jobName: job.name, ...notice });
  };

  // A schedule's run (its placeholders filled here, its version the latest) was checked by no front end.
  if (input.version === undefined || parameters !== input.parameters || input.triggeredBy.startsWith('schedule:')) {
    const verdict = await registry.checkProcessParameters({ jobId, version, parameters });
    if (!verdict.ok) {
      await ledger.endProcess({ processId, jobId, max: job.maxConcurrentProcesses, attempt, status: 'FAILED', reason: verdict.message });
      await notify({ status: 'FAILED', to: job.notify.onFailure, reason: verdict.message });
      throw ApplicationFailure.nonRetryable(verdict.message, 'JOB_PARAMETERS_INVALID', ...verdict.problems);
    }
  }

  const steps = stepRunner(heartbeatSeconds);
  let failed: { task: string; reason: string } | undefined;
  let current: string | undefined;
  try {
    if (!lean) await queue.claimProcessSlot(claim);
    else if (!slot) await waitForSlot(claim);
    for (const [position, step] of job.steps.entries()) {
      if (position < from) continue;
      current = step.name;
      const definition = lean ? undefined : await registry.ensureStepDefinition({ jobId, version, step });
      const outcome = await steps.runStep({ processId, attempt, jobId, version, position, step, ...(definition ? { definition } : {}), parameters });
      if (outcome.status === 'FAILED') {
        failed = { task: step.name, reason: outcome.reason ?? 'no reason given' };
        break;
      }
    }
  } catch (err) {
    if (!isCancellation(err)) {
      // Batch or the ledger failing for good: the process fails in the step it was in.
      failed = { task: current ?? job.steps[from]!.name, reason: rootMessage(err) };
    } else {
      await CancellationScope.nonCancellable(async () => {
        const reason = 'cancelled';
        await ledger.endProcess({ processId, jobId, max: job.maxConcurrentProcesses, attempt, status: 'CANCELLED', reason });
        await notify({ status: 'CANCELLED', to: job.notify.onFailure, reason: `cancelled${current ? ` during ${current}` : ' while queued'}` });
      });
      throw err;
    }
  }

  if (failed) {
    await ledger.endProcess({ processId, jobId, max: job.maxConcurrentProcesses, attempt, status: 'FAILED', failedTask: failed.task, reason: failed.reason });
    await notify({ status: 'FAILED', to: job.notify.onFailure, failedTask: failed.task, reason: failed.reason });
    throw ApplicationFailure.nonRetryable(`task ${failed.task} failed: ${failed.reason}`, 'PROCESS_FAILED');
  }
  await ledger.endProcess({ processId, jobId, max: job.maxConcurrentProcesses, attempt, status: 'SUCCEEDED' });
  await notify({ status: 'SUCCEEDED', to: job.notify.onSuccess });
  return { processId, status: 'SUCCEEDED', attempt };
}
