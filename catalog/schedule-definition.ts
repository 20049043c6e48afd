/**
 * Reading a schedule document: its shape against the schema, its cron, its time zone and its
 * placeholders, every problem named by its field's path, the defaults filled in. What needs
 * the catalog (the job exists, the parameters fit its schema) is checked by control/.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { errorWithCode } from '../errors/drover-error.js';
import { cronProblems, normaliseCron } from './cron-expression.js';
import type { Problem } from './job-definition.js';
import { PLACEHOLDER_NAMES, placeholdersIn } from './schedule-placeholders.js';
import { SCHEDULE_DEFAULTS, SchedulePatchSchema, ScheduleSchema, type ScheduleDocument, type ScheduleInput, type SchedulePatch } from './schedule-schema.js';
import { timezoneProblem } from './time-zone.js';

/** A schedule document, or a change to one, that drover refuses; `problems` names each bad field by its path. */
export class ScheduleInvalidError extends errorWithCode('ScheduleInvalidError', 'SCHEDULE_INVALID') {
  problems: Problem[] = [];
}

export function scheduleInvalid(message: string, problems: Problem[]): ScheduleInvalidError {
  return Object.assign(new ScheduleInvalidError(`${message}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`), { problems });
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchedule: ValidateFunction = ajv.compile(ScheduleSchema);
const validatePatch: ValidateFunction = ajv.compile(SchedulePatchSchema);

function shapeProblems(validate: ValidateFunction): Problem[] {
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `: ${String((e.params as { additionalProperty: string }).additionalProperty)}` : '';
    return { path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${extra}` };
  });
}

/** The problems of the fields a document or a change gives beyond their shape. */
function fieldProblems(fields: Pick<SchedulePatch, 'cron' | 'timezone' | 'parameters'>): Problem[] {
  const problems: Problem[] = [];
  if (fields.cron !== undefined) for (const message of cronProblems(fields.cron)) problems.push({ path: '/cron', message });
  if (fields.timezone !== undefined) {
    const message = timezoneProblem(fields.timezone);
    if (message) problems.push({ path: '/timezone', message });
  }
  for (const p of placeholdersIn(fields.parameters ?? {})) {
    if (!p.known) problems.push({ path: `/parameters${p.path}`, message: `{{${p.name}}} is not a placeholder drover fills: use ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(' or ')}` });
  }
  return problems;
}

/** The schedule `document` defines, with its defaults; throws ScheduleInvalidError naming every bad field. */
export function parseSchedule(document: unknown): ScheduleDocument {
  if (!validateSchedule(document)) throw scheduleInvalid('not a valid schedule', shapeProblems(validateSchedule));
  const doc = document as ScheduleInput;
  const problems = fieldProblems(doc);
  if (problems.length > 0) throw scheduleInvalid('not a valid schedule', problems);
  return {
    id: doc.id,
    jobId: doc.jobId,
    cron: normaliseCron(doc.cron),
    timezone: doc.timezone ?? SCHEDULE_DEFAULTS.timezone,
    parameters: doc.parameters ?? SCHEDULE_DEFAULTS.parameters,
    overlap: doc.overlap ?? SCHEDULE_DEFAULTS.overlap,
    catchupWindowSeconds: doc.catchupWindowSeconds ?? SCHEDULE_DEFAULTS.catchupWindowSeconds,
    paused: doc.paused ?? SCHEDULE_DEFAULTS.paused,
    note: doc.note ?? SCHEDULE_DEFAULTS.note,
  };
}

/** A checked change; throws ScheduleInvalidError naming every bad field. */
export function parseSchedulePatch(patch: unknown): SchedulePatch {
  if (!validatePatch(patch)) throw scheduleInvalid('not a valid change to a schedule', shapeProblems(validatePatch));
  const p = patch as SchedulePatch;
  const problems = fieldProblems(p);
  if (problems.length > 0) throw scheduleInvalid('not a valid change to a schedule', problems);
  return p.cron === undefined ? p : { ...p, cron: normaliseCron(p.cron) };
}

/** `schedule` with `patch` applied: the fields given replace the schedule's. */
export function applySchedulePatch(schedule: ScheduleDocument, patch: SchedulePatch): ScheduleDocument {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return { ...schedule, ...defined };
}
