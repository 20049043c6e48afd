/** The refusals of acting on schedules, besides a document refused (ScheduleInvalidError, catalog/schedule-definition.ts). */
import type { Problem } from '../catalog/job-definition.js';
import { errorWithCode } from '../errors/drover-error.js';

/** No drover schedule by that id (a Temporal Schedule that is not drover's, such as the sweeper's, is none either). */
export class ScheduleNotFoundError extends errorWithCode('ScheduleNotFoundError', 'SCHEDULE_NOT_FOUND') {}

/** A schedule by that id exists already. */
export class ScheduleExistsError extends errorWithCode('ScheduleExistsError', 'SCHEDULE_EXISTS') {}

/** A backfill's range refused: `problems` names `/start` or `/end`. */
export class ScheduleBackfillError extends errorWithCode('ScheduleBackfillError', 'SCHEDULE_BACKFILL_INVALID') {
  problems: Problem[] = [];
}
