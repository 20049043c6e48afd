/**
 * Runs of a schedule besides those its cron makes: one now (trigger), and the ones it would
 * have made in a past range (backfill). Both are nominal times to the workflow, so
 * `{{scheduledDate}}` is the trigger's day, or each backfilled run's own day.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cronTimesBetween } from '../catalog/cron-expression.js';
import type { Problem } from '../catalog/job-definition.js';
import { scheduleInvalid } from '../catalog/schedule-definition.js';
import { PLACEHOLDER_NAMES, placeholdersIn, renderPlaceholders } from '../catalog/schedule-placeholders.js';
import type { ControlDeps } from './deps.js';
import { fireProcess } from './fire-process.js';
import { ScheduleBackfillError } from './schedule-errors.js';
import { OVERLAP_TO_TEMPORAL, scheduleTrigger } from './schedule-temporal.js';
import { describeDrover } from './schedules.js';

/**
 * A backfill makes at most this many runs. They start all at once (under the schedule's
 * overlap policy), so a range a mistyped year wide is refused rather than flooding the queue.
 */
export const MAX_BACKFILL_RUNS = 1000;

/** How long a trigger waits to learn the workflow id Temporal gave the run (it starts within a second or so). */
const TRIGGER_LOOKUP_MS = 10_000;

/** A trigger this close to one of the cron's runs waits until this long after it: past its second, whatever the clocks' skew. */
const SAME_SECOND_MARGIN_MS = 1_500;

export interface TriggerResult {
  /** The process the run is; null when Temporal had not said within a few seconds (it still runs: see the schedule's processes). */
  processId: string | null;
  /** `schedule`: Temporal's trigger, counted among the schedule's actions; `direct`: runJob started here, because parameters were overridden. */
  startedBy: 'schedule' | 'direct';
}

/**
 * A run now. Without `parameters`, the Schedule's own trigger (allowed to overlap a running
 * one: it was asked for), with the schedule's parameters filled for now. Temporal's trigger
 * takes no input, so with `parameters`, which override the schedule's key by key, runJob is
 * started here as a firing of the job, triggered by `schedule:<id>` as the schedule's runs
 * are, its placeholders filled for now in the schedule's zone and its parameters checked
 * (JobParametersError). ScheduleNotFoundError when there is no such schedule.
 */
export async function triggerSchedule(deps: ControlDeps, id: string, options: { parameters?: Record<string, unknown> } = {}): Promise<TriggerResult> {
  const { handle, description, doc } = await describeDrover(deps, id);
  if (options.parameters !== undefined) {
    const unknown = placeholdersIn(options.parameters).filter((p) => !p.known);
    if (unknown.length > 0) {
      throw scheduleInvalid(
        'parameters refused',
        unknown.map((p) => ({ path: `/parameters${p.path}`, message: `{{${p.name}}} is not a placeholder drover fills: use ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(' or ')}` })),
      );
    }
    const parameters = renderPlaceholders({ ...doc.parameters, ...options.parameters }, { time: new Date(), timezone: doc.timezone });
    const process = await fireProcess(deps, { jobId: doc.jobId, parameters, triggeredBy: scheduleTrigger(id) });
    return { processId: process.processId, startedBy: 'direct' };
  }
  // Temporal names a run `<schedule id>-<its time to the second>`: a trigger in the same second
  // as one of the cron's runs would get that run's workflow id, and so its process. Wait it out.
  const ticks = [...description.info.recentActions.map((a) => a.scheduledAt), ...description.info.nextActionTimes.slice(0, 1)].map((t) => t.getTime());
  const clash = ticks.find((t) => Math.abs(Date.now() - t) < SAME_SECOND_MARGIN_MS);
  if (clash !== undefined) await sleep(clash + SAME_SECOND_MARGIN_MS - Date.now());
  const before = new Set(description.info.recentActions.map((a) => a.action.workflow.firstExecutionRunId));
  const asked = Date.now();
  await handle.trigger();
  for (let delay = 100; Date.now() - asked < TRIGGER_LOOKUP_MS; delay = Math.min(delay * 2, 1000)) {
    await sleep(delay);
    const fresh = (await handle.describe()).info.recentActions.filter((a) => !before.has(a.action.workflow.firstExecutionRunId) && a.takenAt.getTime() >= asked - 1000);
    // A trigger's nominal time is when it was taken; a cron tick at the same moment would be on the minute.
    const mine = fresh.at(-1);
    if (mine) return { processId: mine.action.workflow.workflowId, startedBy: 'schedule' };
  }
  return { processId: null, startedBy: 'schedule' };
}

export interface BackfillResult {
  /** The runs the schedule's cron names in the range, which Temporal now takes under the overlap policy. */
  runs: number;
}

function rangeProblems(start: Date, end: Date, now: Date): Problem[] {
  const problems: Problem[] = [];
  if (Number.isNaN(start.getTime())) problems.push({ path: '/start', message: 'is not a time' });
  if (Number.isNaN(end.getTime())) problems.push({ path: '/end', message: 'is not a time' });
  if (problems.length > 0) return problems;
  if (start.getTime() >= end.getTime()) problems.push({ path: '/end', message: `must be after start (${start.toISOString()})` });
  if (end.getTime() > now.getTime()) problems.push({ path: '/end', message: `is in the future (now is ${now.toISOString()}): the schedule makes those runs itself` });
  return problems;
}

/**
 * The runs the schedule would have made from `start` to `end` (both included), made now, all
 * at once, under its overlap policy: with `skip`, a run due while another still runs is
 * skipped, so a backfill of a job slower than the runs' spacing makes fewer runs; `buffer-all`
 * makes them one after another, `allow-all` side by side. At most MAX_BACKFILL_RUNS; the range
 * must be in the past (ScheduleBackfillError naming /start or /end).
 */
export async function backfillSchedule(deps: Pick<ControlDeps, 'temporal'>, id: string, range: { start: Date; end: Date }): Promise<BackfillResult> {
  const { handle, doc } = await describeDrover(deps, id);
  const problems = rangeProblems(range.start, range.end, new Date());
  const runs = problems.length > 0 ? 0 : cronTimesBetween(doc.cron, doc.timezone, range.start, range.end, MAX_BACKFILL_RUNS + 1).length;
  if (runs > MAX_BACKFILL_RUNS) problems.push({ path: '/end', message: `the range holds more than ${MAX_BACKFILL_RUNS} runs of ${doc.cron}: backfill it in parts` });
  if (problems.length > 0) {
    throw Object.assign(new ScheduleBackfillError(`backfill of ${id} refused: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`), { problems });
  }
  if (runs > 0) await handle.backfill({ start: range.start, end: range.end, overlap: OVERLAP_TO_TEMPORAL[doc.overlap] });
  return { runs };
}
