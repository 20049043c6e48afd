/**
 * The job document: one batch job of the catalog, defined once with the resources of each
 * step. Written in TypeBox so that one definition gives the JSON Schema (catalog/job.schema.json,
 * which the README shows and the API will serve), the TypeScript type, and the validation.
 * Unknown keys are refused everywhere. The limits are AWS Batch's own, so a job that passes
 * here registers there.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Each step field's default, in one place: a step that leaves a field out gets this. */
export const STEP_DEFAULTS = {
  vcpus: 1,
  memoryMiB: 2048,
  timeoutSeconds: 3600,
  attempts: 1,
} as const;

/** Processes of one job at once when the document does not say; more wait as QUEUED. */
export const DEFAULT_MAX_CONCURRENT_PROCESSES = 1;

const ID = '^[a-z0-9][a-z0-9-]{0,62}$';
const email = Type.String({ format: 'email', maxLength: 254 });

export const RUNTIMES = ['python3', 'node', 'bash'] as const;

const StepSchema = Type.Object(
  {
    name: Type.String({ pattern: ID, description: 'The step\'s name, unique in the job: `[a-z0-9][a-z0-9-]{0,62}`.' }),
    script: Type.Optional(
      Type.String({ pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+', description: 'The script, an `s3://bucket/key` URL. Give this or `command`.' }),
    ),
    command: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'The command to run, as argv. Give this or `script`.' }),
    ),
    runtime: Type.Optional(
      Type.Union(
        RUNTIMES.map((r) => Type.Literal(r)),
        { description: 'What runs `script`. Default: from its extension (`.py` python3, `.js`/`.mjs` node, `.sh` bash).' },
      ),
    ),
    modules: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9][^\\s]*$', maxLength: 200 }), {
        maxItems: 100,
        description: 'pip requirement strings (`requests==2.32.3`), installed into a virtualenv before the script runs. Default none. No pip options.',
      }),
    ),
    vcpus: Type.Optional(Type.Number({ minimum: 0.25, maximum: 256, multipleOf: 0.25, description: `vCPUs of the step's container. Default ${STEP_DEFAULTS.vcpus}.` })),
    memoryMiB: Type.Optional(Type.Integer({ minimum: 128, maximum: 1_048_576, description: `Memory limit in MiB; the step is killed past it. Default ${STEP_DEFAULTS.memoryMiB}.` })),
    timeoutSeconds: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 1_209_600, description: `Longest an attempt may run (Batch's attemptDurationSeconds, 60 s to 14 days). Default ${STEP_DEFAULTS.timeoutSeconds}.` }),
    ),
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: `Batch retryStrategy attempts. Default ${STEP_DEFAULTS.attempts}.` })),
    arraySize: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000, description: 'Run as an array job of this many children; each sees AWS_BATCH_JOB_ARRAY_INDEX. Default: one job.' })),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: '^(?!DROVER_|AWS_)[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 4096 }), {
        additionalProperties: false,
        description: 'Environment of the step. Names starting DROVER_ or AWS_ are drover\'s and Batch\'s. Default none.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const JobSchema = Type.Object(
  {
    id: Type.String({ pattern: ID, description: 'The job\'s id, how it is fired: `[a-z0-9][a-z0-9-]{0,62}`.' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    parameters: Type.Optional(
      Type.Object({ type: Type.Literal('object') }, { additionalProperties: true, description: 'A JSON Schema (draft 2020-12 or 7) of the parameters a process is fired with. Default: none accepted.' }),
    ),
    maxConcurrentProcesses: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: `Processes of this job running at once; more wait as QUEUED. Default ${DEFAULT_MAX_CONCURRENT_PROCESSES}.` }),
    ),
    notify: Type.Optional(
      Type.Object(
        { onFailure: Type.Optional(Type.Array(email, { maxItems: 50 })), onSuccess: Type.Optional(Type.Array(email, { maxItems: 50 })) },
        { additionalProperties: false, description: 'Who is emailed when a process fails or succeeds. Default nobody.' },
      ),
    ),
    steps: Type.Array(StepSchema, { minItems: 1, maxItems: 50, description: 'Run in order; a failed step skips the rest.' }),
  },
  { additionalProperties: false, title: 'drover job' },
);

export type JobDocument = Static<typeof JobSchema>;
export type StepDocument = Static<typeof StepSchema>;
