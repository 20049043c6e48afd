/**
 * Reading a job document: validated once against the job schema, its defaults filled in and
 * its runtimes inferred, so the rest of drover only ever sees a complete, checked job.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { errorWithCode } from '../errors/drover-error.js';
import { DEFAULT_MAX_CONCURRENT_PROCESSES, JobSchema, STEP_DEFAULTS, type JobDocument, type StepDocument } from './job-schema.js';

/** One thing wrong with a document: where (a JSON Pointer, `/steps/1/vcpus`) and what. */
export interface Problem {
  path: string;
  message: string;
}

/** A job document that is not a valid job; `problems` names each bad field by its path. */
export class JobDefinitionError extends errorWithCode('JobDefinitionError', 'JOB_INVALID') {
  problems: Problem[] = [];
}

/** Parameters a process was fired with that the job's parameter schema refuses. */
export class JobParametersError extends errorWithCode('JobParametersError', 'JOB_PARAMETERS_INVALID') {
  problems: Problem[] = [];
}

export type Runtime = 'python3' | 'node' | 'bash';

/** A step with every default applied. */
export interface Step {
  name: string;
  /** Exactly one of `script` and `command`. */
  script?: string;
  command?: string[];
  /** Set when the step has a script. */
  runtime?: Runtime;
  modules: string[];
  vcpus: number;
  memoryMiB: number;
  timeoutSeconds: number;
  attempts: number;
  arraySize?: number;
  env: Record<string, string>;
}

export interface Job {
  id: string;
  name: string;
  description: string;
  /** A JSON Schema of the parameters; none means a process takes no parameters. */
  parameters: Record<string, unknown>;
  maxConcurrentProcesses: number;
  notify: { onFailure: string[]; onSuccess: string[] };
  steps: Step[];
}

// ajv-formats is CommonJS; under Node's ESM its default export is the plugin itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function newAjv(): Ajv {
  return addFormats(new Ajv({ allErrors: true, strict: true }));
}

const ajv = newAjv();
const validateDocument: ValidateFunction = ajv.compile(JobSchema);
/**
 * Parameter schemas are users' own: no strict mode, so a keyword ajv does not know is let be;
 * and an Ajv of their own each, so two jobs' schemas with one `$id` never meet.
 */
const parameterAjv = () => addFormats(new Ajv({ allErrors: true, strict: false, logger: false }));

/** The validator of a parameter schema, or the reason it cannot be one (a `$ref` to nowhere). */
/** Compiled parameter schemas by their JSON: compiling one takes milliseconds, and every firing of a job checks the same one. */
const compiled = new Map<string, ValidateFunction | string>();
const COMPILED_KEPT = 256;

function compileParameters(schema: Record<string, unknown>): ValidateFunction | string {
  const key = JSON.stringify(schema);
  const known = compiled.get(key);
  if (known !== undefined) return known;
  let result: ValidateFunction | string;
  try {
    result = parameterAjv().compile(schema);
  } catch (err) {
    result = (err as Error).message;
  }
  if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, result);
  return result;
}

const NO_PARAMETERS = { type: 'object', additionalProperties: false } as const;

function problemsOf(errors: readonly ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `: ${String((e.params as { additionalProperty: string }).additionalProperty)}` : '';
    return { path: e.instancePath || '/', message: `${e.message ?? 'is invalid'}${extra}` };
  });
}

function describe(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path} ${p.message}`).join('; ');
}

export function inferRuntime(script: string): Runtime | undefined {
  if (/\.py$/i.test(script)) return 'python3';
  if (/\.(m?js)$/i.test(script)) return 'node';
  if (/\.sh$/i.test(script)) return 'bash';
  return undefined;
}

function stepOf(doc: StepDocument, at: string, problems: Problem[]): Step {
  const { name, script, command, runtime, arraySize } = doc;
  if ((script === undefined) === (command === undefined)) problems.push({ path: at, message: 'must have exactly one of script and command' });
  if (command !== undefined && runtime !== undefined) problems.push({ path: `${at}/runtime`, message: 'applies to a script, not a command' });
  const chosen = script === undefined ? undefined : (runtime ?? inferRuntime(script));
  if (script !== undefined && chosen === undefined) {
    problems.push({ path: `${at}/runtime`, message: `is needed: ${JSON.stringify(script)} does not end in .py, .js, .mjs or .sh` });
  }
  return {
    name,
    ...(script === undefined ? {} : { script, runtime: chosen }),
    ...(command === undefined ? {} : { command }),
    modules: doc.modules ?? [],
    vcpus: doc.vcpus ?? STEP_DEFAULTS.vcpus,
    memoryMiB: doc.memoryMiB ?? STEP_DEFAULTS.memoryMiB,
    timeoutSeconds: doc.timeoutSeconds ?? STEP_DEFAULTS.timeoutSeconds,
    attempts: doc.attempts ?? STEP_DEFAULTS.attempts,
    ...(arraySize === undefined ? {} : { arraySize }),
    env: doc.env ?? {},
  };
}

/** The job a document defines, with its defaults; throws JobDefinitionError naming every bad field. */
export function parseJob(document: unknown): Job {
  if (!validateDocument(document)) {
    const problems = problemsOf(validateDocument.errors);
    throw Object.assign(new JobDefinitionError(`not a valid job: ${describe(problems)}`), { problems });
  }
  const doc = document as JobDocument;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  doc.steps.forEach((s, i) => {
    if (seen.has(s.name)) problems.push({ path: `/steps/${i}/name`, message: `repeats the step name ${JSON.stringify(s.name)}` });
    seen.add(s.name);
  });
  const steps = doc.steps.map((s, i) => stepOf(s, `/steps/${i}`, problems));
  if (doc.parameters !== undefined) {
    const own = parameterAjv();
    if (!own.validateSchema(doc.parameters)) {
      for (const p of problemsOf(own.errors)) problems.push({ path: `/parameters${p.path === '/' ? '' : p.path}`, message: p.message });
    } else {
      const compiled = compileParameters(doc.parameters);
      if (typeof compiled === 'string') problems.push({ path: '/parameters', message: `is not a schema that can be used: ${compiled}` });
    }
  }
  if (problems.length > 0) throw Object.assign(new JobDefinitionError(`not a valid job: ${describe(problems)}`), { problems });
  return {
    id: doc.id,
    name: doc.name,
    description: doc.description ?? '',
    parameters: doc.parameters ?? NO_PARAMETERS,
    maxConcurrentProcesses: doc.maxConcurrentProcesses ?? DEFAULT_MAX_CONCURRENT_PROCESSES,
    notify: { onFailure: doc.notify?.onFailure ?? [], onSuccess: doc.notify?.onSuccess ?? [] },
    steps,
  };
}

/** Checks the parameters a process is fired with against the job's schema; throws JobParametersError naming each bad one. */
export function checkParameters(job: Pick<Job, 'id' | 'parameters'>, parameters: unknown): Record<string, unknown> {
  const validate = compileParameters(job.parameters);
  if (typeof validate === 'string') {
    const problems = [{ path: '/parameters', message: `the job's parameter schema cannot be used: ${validate}` }];
    throw Object.assign(new JobDefinitionError(`${job.id}'s parameter schema cannot be used (${validate}): put a fixed version of the job`), { problems });
  }
  if (!validate(parameters)) {
    const problems = problemsOf(validate.errors);
    throw Object.assign(new JobParametersError(`parameters of ${job.id} refused: ${describe(problems)}`), { problems });
  }
  return parameters as Record<string, unknown>;
}

/**
 * The environment a step's process gets besides its own `env`: the parameters as one JSON
 * document and one variable each (`date` → DROVER_PARAM_DATE; objects and arrays as JSON).
 */
export function stepEnvironment(ids: { processId: string; jobId: string; task: string }, parameters: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {
    DROVER_PARAMS: JSON.stringify(parameters),
    DROVER_PROCESS_ID: ids.processId,
    DROVER_JOB_ID: ids.jobId,
    DROVER_TASK: ids.task,
  };
  for (const [name, value] of Object.entries(parameters)) {
    env[`DROVER_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}
