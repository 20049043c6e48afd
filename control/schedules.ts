/**
 * Schedules: cron schedules that fire catalog jobs, each a Temporal Schedule starting runJob
 * (control/schedule-temporal.ts). Temporal keeps them and is the one source of truth; the
 * ledger keeps the processes they start, triggered by `schedule:<id>`. The CLI and the API
 * both act through these functions.
 *
 * A Temporal Schedule's id is the drover schedule's. Only Schedules with drover's memo are
 * drover's: the sweeper's (stack/sweeper-schedule.ts) is neither listed nor found here.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError as TemporalScheduleNotFound, type Client, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import { applySchedulePatch, parseSchedule, parseSchedulePatch } from '../catalog/schedule-definition.js';
import type { ScheduleDocument } from '../catalog/schedule-schema.js';
import type { ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';
import { currentPage } from './process-list.js';
import { ScheduleExistsError, ScheduleNotFoundError } from './schedule-errors.js';
import { checkScheduleJob } from './schedule-job-check.js';
import { documentOf, memoOf, scheduleOptions, scheduleTrigger, scheduleUpdate } from './schedule-temporal.js';

export type ScheduleDeps = Pick<ControlDeps, 'db' | 'temporal' | 'config'>;

/** How many of the next run times and of the latest processes a schedule's view shows. */
export const NEXT_RUN_TIMES = 5;
export const RECENT_PROCESSES = 10;

/** A schedule as `describeSchedule` shows it: its document, when it runs next, and what it ran. */
export interface ScheduleView extends ScheduleDocument {
  /** The next times its cron names, ISO 8601 UTC, as Temporal computes them (a paused schedule skips them until unpaused). */
  nextRunTimes: string[];
  /** Its latest processes in the ledger, newest first, with their status. */
  recentProcesses: ProcessView[];
  /** What Temporal counted: runs started, runs skipped under the overlap policy, runs missed beyond the catch-up window, and the processes running now. */
  actions: { taken: number; skippedOverlap: number; missedCatchupWindow: number; running: string[] };
}

export async function scheduleHandle(deps: Pick<ControlDeps, 'temporal'>, id: string): Promise<ScheduleHandle> {
  return (await deps.temporal()).schedule.getHandle(id);
}

/** The Schedule's description and the drover document it is; ScheduleNotFoundError when there is none or it is not drover's. */
export async function describeDrover(deps: Pick<ControlDeps, 'temporal'>, id: string): Promise<{ handle: ScheduleHandle; description: ScheduleDescription; doc: ScheduleDocument }> {
  const handle = await scheduleHandle(deps, id);
  const description = await handle.describe().catch((err: unknown) => {
    if (err instanceof TemporalScheduleNotFound) throw new ScheduleNotFoundError(`no schedule ${id}`);
    throw err;
  });
  const doc = documentOf(description);
  if (!doc) throw new ScheduleNotFoundError(`no schedule ${id}: the Temporal Schedule of that id is not one of drover's`);
  return { handle, description, doc };
}

/** Maps Temporal's "gone" (deleted between a describe and the next call) to ours. */
function notFound(id: string) {
  return (err: unknown): never => {
    if (err instanceof TemporalScheduleNotFound) throw new ScheduleNotFoundError(`no schedule ${id}`);
    throw err;
  };
}

/**
 * Creates a schedule from its document (ScheduleInvalidError naming each bad field: the cron,
 * the zone, the job, the parameters as its schema takes them; ScheduleExistsError for an id
 * taken). Returns the document with its defaults.
 */
export async function createSchedule(deps: ScheduleDeps, input: unknown): Promise<ScheduleDocument> {
  const doc = parseSchedule(input);
  await checkScheduleJob(deps.db, doc);
  try {
    await (await deps.temporal()).schedule.create(scheduleOptions(doc, deps.config.temporal.taskQueue));
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) throw new ScheduleExistsError(`a schedule ${doc.id} exists already: change it (PATCH, or delete it first)`);
    throw err;
  }
  return doc;
}

/** Every drover schedule, by id; `jobId` keeps those of one job. Listing is Temporal's, which may lag a change by a moment. */
export async function listSchedules(deps: Pick<ControlDeps, 'temporal'>, filter: { jobId?: string } = {}): Promise<ScheduleDocument[]> {
  const client = await deps.temporal();
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    const memo = memoOf(summary.memo);
    if (memo && (filter.jobId === undefined || memo.jobId === filter.jobId)) ids.push(summary.scheduleId);
  }
  const docs = await Promise.all(
    ids.map((id) =>
      describeDrover(deps, id).then(
        ({ doc }) => doc,
        (err: unknown) => {
          // Deleted since it was listed.
          if (err instanceof ScheduleNotFoundError) return undefined;
          throw err;
        },
      ),
    ),
  );
  return docs.filter((d): d is ScheduleDocument => d !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}

/** The schedule, its next run times and its latest processes; ScheduleNotFoundError when there is none. */
export async function describeSchedule(deps: Pick<ControlDeps, 'db' | 'temporal'>, id: string): Promise<ScheduleView> {
  const { description, doc } = await describeDrover(deps, id);
  const { info } = description;
  const page = await currentPage(deps, { triggeredBy: scheduleTrigger(id), limit: RECENT_PROCESSES });
  return {
    ...doc,
    nextRunTimes: info.nextActionTimes.slice(0, NEXT_RUN_TIMES).map((t) => t.toISOString()),
    recentProcesses: page.items,
    actions: {
      taken: info.numActionsTaken,
      skippedOverlap: info.numActionsSkippedOverlap,
      missedCatchupWindow: info.numActionsMissedCatchupWindow,
      running: info.runningActions.map((a) => a.workflow.workflowId),
    },
  };
}

/**
 * Changes a schedule: the fields `patch` gives replace its own (cron, timezone, parameters,
 * overlap, catchupWindowSeconds, paused, note); its id and job stay. A change of the
 * parameters or the zone is checked against the job again. Returns the schedule as it now is.
 */
export async function updateSchedule(deps: ScheduleDeps, id: string, patchInput: unknown): Promise<ScheduleDocument> {
  const patch = parseSchedulePatch(patchInput);
  const { handle, doc } = await describeDrover(deps, id);
  const next = applySchedulePatch(doc, patch);
  if (patch.parameters !== undefined || patch.timezone !== undefined) await checkScheduleJob(deps.db, next);
  let updated = next;
  await handle
    .update((previous) => {
      // Applied to what Temporal has now, so a change made since the describe above is kept.
      updated = applySchedulePatch(documentOf(previous) ?? doc, patch);
      return scheduleUpdate(updated, deps.config.temporal.taskQueue);
    })
    .catch(notFound(id));
  return updated;
}

/** Deletes the schedule; the processes it started stay in the ledger, and one running now runs on. */
export async function deleteSchedule(deps: Pick<ControlDeps, 'temporal'>, id: string): Promise<void> {
  const { handle } = await describeDrover(deps, id);
  await handle.delete().catch(notFound(id));
}

/**
 * Whether any schedule fires `jobId`: a job is not retired while one does. Read from Temporal's
 * list, which may lag a schedule made a moment ago.
 */
export async function jobHasSchedules(client: Client, jobId: string): Promise<boolean> {
  for await (const summary of client.schedule.list()) {
    if (memoOf(summary.memo)?.jobId === jobId) return true;
  }
  return false;
}
