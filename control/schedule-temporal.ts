/**
 * A drover schedule as a Temporal Schedule, and back. Temporal holds every field, so it is the
 * one source of truth: the cron as the comment of the calendar it compiles to (Temporal keeps
 * the comment, not the cron text), the zone, the overlap policy and catch-up window, pause
 * and note where Temporal keeps them, the job and its parameters in the action's input. The
 * Schedule's memo (which cannot be changed once made) marks it as drover's and names its job.
 */
import { ScheduleOverlapPolicy, type ScheduleDescription, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { SCHEDULE_DEFAULTS, type OverlapPolicy, type ScheduleDocument } from '../catalog/schedule-schema.js';
import { RUN_JOB_WORKFLOW, type ScheduledRunJobInput } from '../contracts/job-process.js';

/** The memo key that makes a Temporal Schedule drover's (the sweeper's has none). */
export const SCHEDULE_MEMO_KEY = 'droverSchedule';

export interface ScheduleMemo {
  jobId: string;
}

export const OVERLAP_TO_TEMPORAL: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

const OVERLAP_FROM_TEMPORAL = new Map<string | undefined, OverlapPolicy>(Object.entries(OVERLAP_TO_TEMPORAL).map(([ours, theirs]) => [theirs, ours as OverlapPolicy]));

/** Processes a schedule starts are triggered by this: the ledger finds a schedule's processes by it. */
export function scheduleTrigger(id: string): string {
  return `schedule:${id}`;
}

type Action = ScheduleOptionsStartWorkflowAction<Workflow>;

/** What a schedule does: start runJob with its job and parameters. Its runs' workflow ids are `<id>-<nominal time>`, which Temporal makes. */
function actionOf(doc: ScheduleDocument, taskQueue: string): Action {
  const input: ScheduledRunJobInput = { jobId: doc.jobId, parameters: doc.parameters, triggeredBy: scheduleTrigger(doc.id), scheduleTimezone: doc.timezone };
  return { type: 'startWorkflow', workflowType: RUN_JOB_WORKFLOW, taskQueue, workflowId: doc.id, args: [input] };
}

function specOf(doc: ScheduleDocument) {
  // `# text` ends a cron Temporal reads: the comment of the calendar it compiles to, which describe gives back.
  return { cronExpressions: [`${doc.cron} # ${doc.cron}`], timezone: doc.timezone };
}

function policiesOf(doc: ScheduleDocument) {
  return { overlap: OVERLAP_TO_TEMPORAL[doc.overlap], catchupWindow: doc.catchupWindowSeconds * 1000 };
}

export function scheduleOptions(doc: ScheduleDocument, taskQueue: string): ScheduleOptions<Action> {
  const memo: ScheduleMemo = { jobId: doc.jobId };
  return {
    scheduleId: doc.id,
    spec: specOf(doc),
    action: actionOf(doc, taskQueue),
    policies: policiesOf(doc),
    memo: { [SCHEDULE_MEMO_KEY]: memo },
    state: { paused: doc.paused, note: doc.note },
  };
}

export function scheduleUpdate(doc: ScheduleDocument, taskQueue: string): ScheduleUpdateOptions<Action> {
  return { spec: specOf(doc), action: actionOf(doc, taskQueue), policies: policiesOf(doc), state: { paused: doc.paused, note: doc.note } };
}

/** The drover memo of a Schedule, or undefined when the Schedule is not drover's. */
export function memoOf(memo: Record<string, unknown> | undefined): ScheduleMemo | undefined {
  const value = memo?.[SCHEDULE_MEMO_KEY];
  return typeof value === 'object' && value !== null && typeof (value as ScheduleMemo).jobId === 'string' ? (value as ScheduleMemo) : undefined;
}

/** The drover schedule a Temporal Schedule is, or undefined when it is not drover's. */
export function documentOf(d: ScheduleDescription): ScheduleDocument | undefined {
  const memo = memoOf(d.memo);
  const input = d.action.args?.[0] as ScheduledRunJobInput | undefined;
  const cron = d.spec.calendars?.[0]?.comment;
  if (!memo || !input || !cron) return undefined;
  return {
    id: d.scheduleId,
    jobId: memo.jobId,
    cron,
    timezone: d.spec.timezone || SCHEDULE_DEFAULTS.timezone,
    parameters: input.parameters ?? {},
    overlap: OVERLAP_FROM_TEMPORAL.get(d.policies.overlap) ?? SCHEDULE_DEFAULTS.overlap,
    catchupWindowSeconds: Math.round(d.policies.catchupWindow / 1000),
    paused: d.state.paused,
    note: d.state.note ?? '',
  };
}
