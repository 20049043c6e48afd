/**
 * Runs one step of a process as a Batch job (batch-job-runner.ts does the submitting,
 * watching, re-attaching and terminating) and keeps its task row in the ledger: RUNNING with
 * its Batch job id and log once submitted, then how it ended, with what a person can act on
 * and what it used.
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import { stepEnvironment } from '../catalog/job-definition.js';
import type { StepOutcome, StepRun } from '../contracts/job-process.js';
import { recordTask } from '../ledger/process-store.js';
import { batchCalls } from './batch-calls.js';
import { batchJobRunner } from './batch-job-runner.js';
import { measureBatchJob } from './batch-job-usage.js';
import type { ActivityDeps } from './deps.js';
import { requireLedger } from './ledger-access.js';
import { stepDefinitionActivity } from './step-definition.js';

/** Tag of a step's Batch job: the process and attempt it belongs to, so a retry of the process never re-attaches to an older attempt's job. */
export const PROCESS_TAG = 'drover:process';

/** The reason of a failed job in a person's words: the container's reason, Batch's, the exit code. */
export function failureReason(job: JobDetail): string {
  const last = job.attempts?.at(-1);
  const exitCode = job.container?.exitCode ?? last?.container?.exitCode;
  const parts = [...new Set([job.container?.reason ?? last?.container?.reason, job.statusReason ?? last?.statusReason].filter((p): p is string => Boolean(p)))];
  const said = parts.join('; ') || 'no reason given';
  return exitCode === undefined ? said : `${said} (exit code ${exitCode})`;
}

export function runStepActivity(deps: ActivityDeps) {
  const { config } = deps;
  const runner = batchJobRunner(deps);
  const ensureStepDefinition = stepDefinitionActivity(deps);
  const { describer } = batchCalls(deps);

  return async function runStep(input: StepRun): Promise<StepOutcome> {
    const ledger = requireLedger(deps);
    const { step, processId, attempt } = input;
    const task = { processId, attempt, name: step.name };
    const jobName = `drover-${processId}-${step.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
    const environment = Object.entries(stepEnvironment({ processId, jobId: input.jobId, task: step.name }, input.parameters)).map(([name, value]) => ({ name, value }));
    let log: string | undefined;
    const definition = input.definition ?? (await ensureStepDefinition({ jobId: input.jobId, version: input.version, step }));

    const job = await runner.run(
      {
        jobName,
        tag: { key: PROCESS_TAG, value: `${processId}#${attempt}` },
        request: () => ({
          jobName,
          jobQueue: config.batch.jobQueue,
          jobDefinition: definition,
          ...(step.arraySize ? { arrayProperties: { size: step.arraySize } } : {}),
          containerOverrides: { environment },
        }),
        cancelReason: 'drover process cancelled',
      },
      {
        onAttached: async (batchJobId) => {
          await recordTask(ledger, { ...task, status: 'RUNNING', batchJobId, vcpus: step.vcpus, memoryMiB: step.memoryMiB, ...(step.arraySize ? { arraySize: step.arraySize } : {}) });
        },
        onPoll: async (polled) => {
          // The log is known once the job (or its first child) has started: `drover task log --follow` reads it while the task runs.
          const started = polled.startedAt !== undefined;
          const ref = !started ? undefined : polled.arrayProperties?.size ? (log ?? (await describer.describe(`${polled.jobId}:0`))?.container?.logStreamName) : polled.container?.logStreamName;
          if (ref && ref !== log && polled.status !== 'SUCCEEDED' && polled.status !== 'FAILED') {
            log = ref;
            await recordTask(ledger, { ...task, status: 'RUNNING', log, ...(polled.startedAt ? { startedAt: new Date(polled.startedAt) } : {}) });
          }
        },
      },
    );

    const measured = await measureBatchJob(describer, job);
    const status = job.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
    const failed = measured.failed;
    const exitCode = failed ? (failed.container?.exitCode ?? failed.attempts?.at(-1)?.container?.exitCode ?? null) : 0;
    let reason: string | null = null;
    if (status === 'FAILED') {
      const why = failed ? failureReason(failed) : (job.statusReason ?? 'no reason given');
      reason = step.arraySize ? `${measured.failedCount} of ${step.arraySize} children failed; child ${failed?.arrayProperties?.index ?? '?'}: ${why}` : why;
    }
    const outcome: StepOutcome = { status, batchJobId: job.jobId!, exitCode, reason };
    await recordTask(ledger, {
      ...task,
      status,
      attempts: measured.attempts,
      ...(job.startedAt ? { startedAt: new Date(job.startedAt) } : {}),
      finishedAt: new Date(job.stoppedAt ?? Date.now()),
      batchJobId: outcome.batchJobId,
      exitCode,
      reason,
      vcpuSeconds: step.vcpus * measured.seconds,
      gibSeconds: (step.memoryMiB / 1024) * measured.seconds,
      ...(measured.log ? { log: measured.log } : {}),
    });
    return outcome;
  };
}
