/**
 * The ledger's side of a catalog process: what the workflow tells PostgreSQL as the process
 * moves (begun, running, ended), the slot it waits for under maxConcurrentProcesses, and the
 * notice people get when it ends.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { checkParameters, parseJob, JobDefinitionError, JobParametersError, type Job } from '../catalog/job-definition.js';
import { runUiLink } from '../config/temporal-connection.js';
import { slotFreedSignal, type ParameterVerdict, type ProcessEnd, type ProcessPlan } from '../contracts/job-process.js';
import { composeProcessNotice } from '../email/process-notice.js';
import { sendRawEmail } from '../email/send.js';
import { getJobVersion, isBuiltIn } from '../ledger/catalog-store.js';
import { beginAttempt, claimSlot, closeOpenTasks, createProcess, grantFreeSlots, processesAhead, recordProcess, recordTask, settleProcess, type NewTask } from '../ledger/process-store.js';
import { readLogTail } from '../storage/task-log.js';
import type { ActivityDeps } from './deps.js';
import { requireLedger } from './ledger-access.js';
import { runningWorkflowIds } from './running-workflows.js';

/** A failure notice quotes this many of the failed task's last log lines. */
export const NOTICE_LOG_LINES = 50;

export interface BeginProcessInput {
  processId: string;
  jobId: string;
  version: number;
  triggeredBy: string;
  parameters: Record<string, unknown>;
  attempt: number;
  fromPosition: number;
  tasks: NewTask[];
}

export interface EndProcessInput {
  processId: string;
  /** Its job and maxConcurrentProcesses: the slot this process frees is handed to the job's oldest queued one. */
  jobId?: string;
  max?: number;
  attempt: number;
  status: ProcessEnd;
  failedTask?: string;
  reason?: string;
}

export interface ProcessNoticeInput {
  processId: string;
  attempt: number;
  jobId: string;
  jobName: string;
  status: ProcessEnd;
  to: string[];
  failedTask?: string;
  reason?: string;
}

/** How a closed workflow's process ends in the ledger when the workflow could not say so itself. */
const CLOSED_AS: Record<string, 'FAILED' | 'CANCELLED' | 'SUCCEEDED'> = {
  COMPLETED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'FAILED',
  CANCELLED: 'CANCELLED',
  TERMINATED: 'CANCELLED',
  CONTINUED_AS_NEW: 'FAILED',
};

/**
 * A queued process checks that the processes ahead of it are alive at most this often per job
 * and worker: each check describes every one of them, hundreds at a time on a busy job.
 */
const DEAD_CHECK_EVERY_MS = 60_000;

export function jobProcessActivities(deps: ActivityDeps) {
  const { aws, config, temporal } = deps;
  const deadCheckedAt = new Map<string, number>();

  /**
   * Hands the slots this process's end freed to the oldest queued processes of the job and
   * tells each: it is RUNNING already, and its claim says so. Telling is best effort (a queued
   * process asks again now and then); the handing over is not.
   */
  async function handOnSlots(jobId: string, max: number): Promise<void> {
    const ledger = requireLedger(deps);
    for (const next of await grantFreeSlots(ledger, { jobId, max })) {
      await temporal?.workflow
        .getHandle(next)
        .signal(slotFreedSignal)
        .catch((err: unknown) => Context.current().log.warn('could not tell a queued process its slot is free', { processId: next, error: String(err) }));
    }
  }

  /** settleDeadAhead, once a minute per job at most. */
  async function settleDeadAheadNowAndThen(jobId: string, processId: string): Promise<number> {
    const last = deadCheckedAt.get(jobId) ?? 0;
    if (Date.now() - last < DEAD_CHECK_EVERY_MS) return 0;
    deadCheckedAt.set(jobId, Date.now());
    return settleDeadAhead(jobId, processId);
  }

  /**
   * Ends, in the ledger, the processes ahead of this one whose workflows have closed without
   * saying so (terminated from the Web UI or the CLI): otherwise they would hold their slots forever.
   */
  async function settleDeadAhead(jobId: string, processId: string): Promise<number> {
    if (!temporal) return 0;
    const ledger = requireLedger(deps);
    let settled = 0;
    const aheadOf = await processesAhead(ledger, jobId, processId);
    // One visibility query per hundred finds the live ones; only the rest are described.
    const running = await runningWorkflowIds(temporal, aheadOf.map((a) => a.processId));
    for (const ahead of aheadOf.filter((a) => !running.has(a.processId))) {
      let status: string | undefined;
      try {
        status = (await temporal.workflow.getHandle(ahead.processId).describe()).status.name;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        status = 'TERMINATED';
      }
      const end = CLOSED_AS[status];
      if (status !== 'RUNNING' && end && end !== 'SUCCEEDED') {
        if (await settleProcess(ledger, { processId: ahead.processId, status: end, reason: `its workflow ended as ${status} without recording it` })) settled++;
      }
    }
    return settled;
  }

  /** A job version (the latest when `version` is left out), parsed; a version that no longer parses fails the process at once. */
  async function planOf(jobId: string, version: number | undefined): Promise<ProcessPlan> {
    const row = await getJobVersion(requireLedger(deps), jobId, version).catch((err: Error & { code?: string }) => {
      if (err.code === 'LEDGER_NOT_FOUND') throw ApplicationFailure.create({ message: err.message, type: 'LEDGER_NOT_FOUND', nonRetryable: true });
      throw err;
    });
    if (isBuiltIn(row.document)) throw ApplicationFailure.create({ message: `${jobId} is built in: it runs as its own workflow`, type: 'JOB_BUILT_IN', nonRetryable: true });
    let job: Job;
    try {
      job = parseJob(row.document);
    } catch (err) {
      if (err instanceof JobDefinitionError) throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true });
      throw err;
    }
    return { job, version: row.version, heartbeatSeconds: config.batch.heartbeatSeconds };
  }

  const activities = {
    /** The job version a process runs: the one it was fired with, or (a schedule's run) the latest when it starts. */
    async loadProcessPlan({ jobId, version }: { jobId: string; version?: number }): Promise<ProcessPlan> {
      return planOf(jobId, version);
    },

    /** The parameters against the job version's schema, each refused field named: a refusal is the answer, not a failure to retry. */
    async checkProcessParameters({ jobId, version, parameters }: { jobId: string; version: number; parameters: Record<string, unknown> }): Promise<ParameterVerdict> {
      const { job } = await planOf(jobId, version);
      try {
        checkParameters(job, parameters);
        return { ok: true };
      } catch (err) {
        if (err instanceof JobParametersError) return { ok: false, message: err.message, problems: err.problems };
        throw err;
      }
    },

    async beginProcess(input: BeginProcessInput): Promise<void> {
      const ledger = requireLedger(deps);
      await createProcess(ledger, input);
      if (input.attempt > 1) await beginAttempt(ledger, { processId: input.processId, attempt: input.attempt, fromPosition: input.fromPosition });
      // Which run of the workflow id this attempt is: the Web UI's link to one attempt's history.
      const runId = Context.current().info.workflowExecution?.runId;
      if (runId) await ledger.updateTable('processes').set({ workflow_run_id: runId }).where('process_id', '=', input.processId).where('attempt', '=', input.attempt).execute();
    },

    /** beginProcess, then a try for a slot (true: taken): one round trip for a process that finds one free. */
    async beginProcessAndClaim(input: BeginProcessInput & { max: number }): Promise<boolean> {
      const { max, ...begin } = input;
      await activities.beginProcess(begin);
      return activities.tryClaimProcessSlot({ processId: begin.processId, jobId: begin.jobId, attempt: begin.attempt, max });
    },

    /**
     * Takes one of the job's slots and says true, or says false while the job has
     * maxConcurrentProcesses running: the process then waits for slotFreedSignal.
     */
    async tryClaimProcessSlot({ processId, jobId, attempt, max }: { processId: string; jobId: string; attempt: number; max: number }): Promise<boolean> {
      const ledger = requireLedger(deps);
      if (await claimSlot(ledger, { processId, jobId, attempt, max })) return true;
      return (await settleDeadAheadNowAndThen(jobId, processId)) > 0 && (await claimSlot(ledger, { processId, jobId, attempt, max }));
    },

    /** Takes one of the job's slots, or fails (and is retried) while the job has maxConcurrentProcesses running: how runJob waited before slotFreedSignal. */
    async claimProcessSlot(claim: { processId: string; jobId: string; attempt: number; max: number }): Promise<void> {
      if (await activities.tryClaimProcessSlot(claim)) return;
      const { jobId, max } = claim;
      throw ApplicationFailure.create({
        message: `queued: ${jobId} runs at most ${max} process${max === 1 ? '' : 'es'} at once`,
        type: 'PROCESS_QUEUED',
      });
    },

    async markProcessRunning({ processId, attempt }: { processId: string; attempt: number }): Promise<void> {
      await recordProcess(requireLedger(deps), { processId, attempt, status: 'RUNNING' });
    },

    /** The process's end, with its tasks: those not reached SKIPPED, or CANCELLED with the running ones on a cancel. */
    async endProcess(input: EndProcessInput): Promise<void> {
      const ledger = requireLedger(deps);
      const cancelled = input.status === 'CANCELLED';
      // A step whose Batch job could not be run at all (the activity failed for good) fails here, with the reason.
      if (input.status === 'FAILED' && input.failedTask) {
        await recordTask(ledger, { processId: input.processId, attempt: input.attempt, name: input.failedTask, status: 'FAILED', finishedAt: new Date(), reason: input.reason ?? null });
      }
      await closeOpenTasks(ledger, { processId: input.processId, attempt: input.attempt, status: cancelled ? 'CANCELLED' : 'SKIPPED', ...(cancelled ? { reason: input.reason } : {}) });
      await recordProcess(ledger, { processId: input.processId, attempt: input.attempt, status: input.status, failedTask: input.failedTask ?? null, reason: input.reason ?? null });
      // Runs started before `max` was passed leave the queue to ask for itself, as it did then.
      if (input.jobId && input.max) await handOnSlots(input.jobId, input.max);
    },

    async sendProcessNotice(input: ProcessNoticeInput): Promise<{ messageId: string } | undefined> {
      if (input.to.length === 0) return undefined;
      const ledger = requireLedger(deps);
      let logTail: string[] = [];
      if (input.failedTask) {
        const task = await ledger.selectFrom('tasks').select(['log']).where('process_id', '=', input.processId).where('name', '=', input.failedTask).executeTakeFirst();
        if (task?.log && aws.logs) {
          // A log that cannot be read leaves the notice without it, never without the notice.
          logTail = await readLogTail({ logs: aws.logs, logGroup: config.batch.logGroup }, task.log, NOTICE_LOG_LINES).catch((err: unknown) => {
            Context.current().log.warn('could not read the failed task\'s log', { error: String(err) });
            return [];
          });
        }
      }
      const raw = await composeProcessNotice({
        from: config.aws.mailFrom,
        to: input.to,
        jobId: input.jobId,
        jobName: input.jobName,
        processId: input.processId,
        attempt: input.attempt,
        status: input.status,
        ...(input.failedTask ? { failedTask: input.failedTask } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
        logTail,
        uiLink: runUiLink(config.temporal.uiUrl, config.temporal.namespace, input.processId),
      });
      return { messageId: await sendRawEmail(aws.ses, raw, { from: config.aws.mailFrom, to: input.to }) };
    },
  };
  return activities;
}
