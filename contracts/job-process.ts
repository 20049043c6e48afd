/**
 * A catalog job's process as Temporal sees it: the generic `runJob` workflow, whose workflow
 * id is the process id, so the Web UI and the `temporal` CLI work on a process as they are.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineSignal } from '@temporalio/workflow';
import type { Job, Problem, Step } from '../catalog/job-definition.js';

export const RUN_JOB_WORKFLOW = 'runJob';

/**
 * Sent to the oldest queued process of a job when one of its processes ends and hands it its
 * slot (it is RUNNING in the ledger already). A queued process waits for it rather than asking
 * the ledger every few seconds, so a freed slot is used within a moment and a long queue costs
 * nothing while it waits.
 */
export const slotFreedSignal = defineSignal('slotFreed');

/**
 * The nominal time Temporal gives a run a Schedule started (a trigger's or a backfill's too):
 * the time it was meant for, whenever it really started.
 */
export const ScheduledStartTimeAttribute = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface RunJobInput {
  /** The process id: the workflow's own id. */
  processId: string;
  jobId: string;
  /** The job version the process runs, whatever versions come after. */
  version: number;
  parameters: Record<string, unknown>;
  /** `cli:<user>`, `s3:<key>`, `api:<key name>`, `schedule:<id>`. */
  triggeredBy: string;
  /** 1 for the first run; a retry is the next attempt of the same process. */
  attempt?: number;
  /** A retry's first step: the steps before it succeeded in an earlier attempt. */
  resumeFrom?: string;
}

/**
 * What a Temporal Schedule starts runJob with. The Schedule picks its runs' workflow ids
 * itself (`<schedule id>-<nominal time>`), so the process id is left out and the workflow id
 * taken (given, it must equal it); the version is left out and the job's latest taken when
 * the process starts. The parameters may hold `{{scheduledTime}}` and `{{scheduledDate}}`,
 * which the workflow fills from the run's nominal time (catalog/schedule-placeholders.ts).
 */
export interface ScheduledRunJobInput extends Omit<RunJobInput, 'processId' | 'version'> {
  processId?: string;
  version?: number;
  /** The time zone `{{scheduledDate}}` is read in: the schedule's. Default UTC. */
  scheduleTimezone?: string;
}

export type ProcessEnd = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface RunJobResult {
  processId: string;
  status: 'SUCCEEDED';
  attempt: number;
}

/** What one step's Batch job came to. */
export interface StepOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  batchJobId: string;
  exitCode: number | null;
  /** For a failure, what a person can act on: the exit code and Batch's reason. */
  reason: string | null;
}

export interface StepRun {
  processId: string;
  attempt: number;
  jobId: string;
  version: number;
  position: number;
  step: Step;
  /** The job definition registered for this job version and step; left out, the step's activity registers (or finds) it itself. */
  definition?: string;
  parameters: Record<string, unknown>;
}

export interface ProcessPlan {
  job: Job;
  /** The version `job` is: the one asked for, or the latest when none was. */
  version: number;
  /** The step watcher's heartbeat timeout (DROVER_HEARTBEAT_SECONDS): how soon a retry re-attaches after its worker dies. */
  heartbeatSeconds: number;
}

/** Process ids are `<job id>-<UTC yyyymmdd-hhmmss>-<6 random hex>`: sortable, readable, unique. */
export const PROCESS_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}-\d{8}-\d{6}-[0-9a-f]{6}$/;

/** The parameters a process runs with, against its job version's schema: the field of each refusal named. */
export type ParameterVerdict = { ok: true } | { ok: false; message: string; problems: Problem[] };
