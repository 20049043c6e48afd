/** Schedules as the API takes and gives them: the schedule document (catalog/schedule-schema.ts) and its view. */
import { Type } from '@sinclair/typebox';
import { ScheduleDocumentSchema } from '../../catalog/schedule-schema.js';
import { MAX_BACKFILL_RUNS } from '../../control/schedule-runs.js';
import { AnyObject, Nullable, Timestamp } from './common.js';
import { ProcessSchema } from './process.js';

export const ScheduleId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'A schedule id: `[a-z0-9][a-z0-9-]{0,62}`.' });

/** `GET /v1/schedules/{id}` and `drover schedule show --json`. */
export const ScheduleViewSchema = Type.Object(
  {
    ...ScheduleDocumentSchema.properties,
    nextRunTimes: Type.Array(Timestamp, { description: 'The next 5 times the cron names, as Temporal computes them; a paused schedule skips them until unpaused.' }),
    recentProcesses: Type.Array(ProcessSchema, { description: 'The schedule\'s latest 10 processes, newest first.' }),
    actions: Type.Object(
      {
        taken: Type.Integer({ description: 'Runs Temporal started (cron ticks, triggers and backfills).' }),
        skippedOverlap: Type.Integer({ description: 'Runs skipped because one was still running (overlap `skip`, or buffers full).' }),
        missedCatchupWindow: Type.Integer({ description: 'Runs missed during an outage longer than the catch-up window.' }),
        running: Type.Array(Type.String(), { description: 'The processes of this schedule running now.' }),
      },
      { description: 'What Temporal counted for this schedule.' },
    ),
  },
  { title: 'drover schedule, with its runs' },
);

export const TriggerBodySchema = Type.Object(
  {
    parameters: Type.Optional({
      ...AnyObject,
      description: 'Override the schedule\'s parameters key by key for this run. Without it the schedule\'s own trigger runs with its parameters.',
    }),
  },
  { additionalProperties: false },
);

export const TriggerResultSchema = Type.Object({
  processId: Nullable(Type.String({ description: 'The process the run is; null when Temporal had not said within a few seconds (it still runs).' })),
  startedBy: Type.Union([Type.Literal('schedule'), Type.Literal('direct')], { description: '`schedule`: the Temporal Schedule\'s trigger; `direct`: started here, because parameters were overridden.' }),
});

export const BackfillBodySchema = Type.Object(
  {
    start: Type.String({ format: 'date-time', description: 'The first time of the range, included.' }),
    end: Type.String({ format: 'date-time', description: `The last time of the range, included; after start, not in the future, and at most ${MAX_BACKFILL_RUNS} runs from start.` }),
  },
  { additionalProperties: false },
);

export const BackfillResultSchema = Type.Object({ runs: Type.Integer({ description: 'The runs the cron names in the range, now taken under the overlap policy.' }) });
