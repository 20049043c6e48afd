/**
 * The schedule document: a cron schedule that fires one catalog job, run by a Temporal
 * Schedule. Written in TypeBox, like the job document, so one definition gives the API its
 * validation, types and OpenAPI schema and the CLI the same check. The cron and the time zone
 * are checked beyond their shape by catalog/schedule-definition.ts.
 */
import { Type, type Static } from '@sinclair/typebox';

/** What happens when a run is due while the last one still runs; Temporal's overlap policies. */
export const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow-all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * How far back runs missed while Temporal could not start them (an outage of its own, not a
 * stopped worker: Temporal starts the run and it waits for a worker) are made up. An hour
 * covers a restart or a short outage; past that a missed run is more likely stale than
 * wanted, and a burst of a day's runs at once would surprise. Temporal's own default is a
 * year. Older missed runs are brought back on purpose with a backfill.
 */
export const DEFAULT_CATCHUP_WINDOW_SECONDS = 3600;

/** Each field's default, in one place: a document that leaves a field out gets this. */
export const SCHEDULE_DEFAULTS = {
  timezone: 'UTC',
  parameters: {} as Record<string, unknown>,
  overlap: 'skip' as OverlapPolicy,
  catchupWindowSeconds: DEFAULT_CATCHUP_WINDOW_SECONDS,
  paused: false,
  note: '',
};

/** Temporal's floor for the catch-up window is 10 s; a year is its default and our ceiling. */
export const CATCHUP_WINDOW_LIMITS = { minimum: 10, maximum: 31_536_000 } as const;

const ID = '^[a-z0-9][a-z0-9-]{0,62}$';

const fields = {
  cron: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Five fields: minute hour day-of-month month day-of-week (`30 2 * * *`), read in `timezone`. Numbers, `*`, ranges, steps, lists and JAN-DEC, SUN-SAT; not both day fields restricted.',
  }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: `An IANA time zone name (\`America/Chicago\`). Default ${SCHEDULE_DEFAULTS.timezone}.` }),
  parameters: Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    additionalProperties: true,
    description: 'The parameters each run is fired with, checked against the job\'s schema. Strings may hold `{{scheduledTime}}` (the run\'s nominal time, ISO 8601 UTC) and `{{scheduledDate}}` (its date, YYYY-MM-DD, in `timezone`). Default none.',
  }),
  overlap: Type.Union(
    OVERLAP_POLICIES.map((p) => Type.Literal(p)),
    { description: `A run due while the last still runs: skip it, buffer one or all of them, cancel the running one, or allow all at once. Default ${SCHEDULE_DEFAULTS.overlap}.` },
  ),
  catchupWindowSeconds: Type.Integer({
    ...CATCHUP_WINDOW_LIMITS,
    description: `How far back runs Temporal missed during an outage are made up when it is back. Default ${DEFAULT_CATCHUP_WINDOW_SECONDS}.`,
  }),
  paused: Type.Boolean({ description: 'A paused schedule starts no runs until unpaused (trigger and backfill still do). Default false.' }),
  note: Type.String({ maxLength: 1000, description: 'Why it is paused, or anything a person should know. Default empty.' }),
};

/** A new schedule as it is given: `id`, `jobId` and `cron`, the rest defaulted. */
export const ScheduleSchema = Type.Object(
  {
    id: Type.String({ pattern: ID, description: 'The schedule\'s id, also its Temporal Schedule\'s: `[a-z0-9][a-z0-9-]{0,62}`.' }),
    jobId: Type.String({ pattern: ID, description: 'The catalog job it fires; its latest version when each run starts.' }),
    cron: fields.cron,
    timezone: Type.Optional(fields.timezone),
    parameters: Type.Optional(fields.parameters),
    overlap: Type.Optional(fields.overlap),
    catchupWindowSeconds: Type.Optional(fields.catchupWindowSeconds),
    paused: Type.Optional(fields.paused),
    note: Type.Optional(fields.note),
  },
  { additionalProperties: false, title: 'drover schedule' },
);

/** A schedule with every field: what is stored and what is shown. */
export const ScheduleDocumentSchema = Type.Object(
  {
    id: ScheduleSchema.properties.id,
    jobId: ScheduleSchema.properties.jobId,
    cron: fields.cron,
    timezone: fields.timezone,
    parameters: fields.parameters,
    overlap: fields.overlap,
    catchupWindowSeconds: fields.catchupWindowSeconds,
    paused: fields.paused,
    note: fields.note,
  },
  { additionalProperties: false, title: 'drover schedule, complete' },
);

/** A change to a schedule: the fields given replace the schedule's; the id and the job stay. */
export const SchedulePatchSchema = Type.Object(
  {
    cron: Type.Optional(fields.cron),
    timezone: Type.Optional(fields.timezone),
    parameters: Type.Optional(fields.parameters),
    overlap: Type.Optional(fields.overlap),
    catchupWindowSeconds: Type.Optional(fields.catchupWindowSeconds),
    paused: Type.Optional(fields.paused),
    note: Type.Optional(fields.note),
  },
  { additionalProperties: false, minProperties: 1, title: 'drover schedule change' },
);

export type ScheduleInput = Static<typeof ScheduleSchema>;
export type ScheduleDocument = Static<typeof ScheduleDocumentSchema>;
export type SchedulePatch = Static<typeof SchedulePatchSchema>;
