/**
 * What a step's Batch job tells the fetch-and-run entrypoint (runner/fetch-and-run.ts): the
 * worker writes these variables into the step's job definition, the runner reads them back.
 * One file for both sides, so the names and their encoding cannot drift apart.
 */
import { errorWithCode } from '../errors/drover-error.js';
import type { Runtime, Step } from './job-definition.js';
import { RUNTIMES } from './job-schema.js';

/** `s3://bucket/key` of the step's script; absent for a command step. */
export const STEP_SCRIPT = 'DROVER_STEP_SCRIPT';
/** What runs the script: `python3`, `node` or `bash`. */
export const STEP_RUNTIME = 'DROVER_STEP_RUNTIME';
/** The command step's argv as a JSON array; absent for a script step. */
export const STEP_COMMAND = 'DROVER_STEP_COMMAND';
/** pip requirement strings as a JSON array; absent or `[]` for none. */
export const STEP_MODULES = 'DROVER_STEP_MODULES';

/** The variables a step sees that are not drover settings: this contract's and job-definition.ts stepEnvironment's. */
const STEP_VARIABLES = new Set(['DROVER_PARAMS', 'DROVER_PROCESS_ID', 'DROVER_JOB_ID', 'DROVER_TASK']);
const STEP_PREFIXES = ['DROVER_STEP_', 'DROVER_PARAM_'];

/** The step's variables are broken: both or neither of script and command, bad JSON, an unknown runtime. */
export class StepContractError extends errorWithCode('StepContractError', 'STEP_CONTRACT_INVALID') {}

export interface S3Location {
  bucket: string;
  key: string;
}

/** What the runner is to do, read from its environment. */
export type StepLaunch =
  | { kind: 'script'; url: string; script: S3Location; runtime: Runtime; modules: string[] }
  | { kind: 'command'; command: string[]; modules: string[] };

// The job schema's own rule for a module: a requirement, never a pip option such as --index-url.
const MODULE = /^[A-Za-z0-9][^\s]*$/;

/** The contract variables of a parsed step, for its job definition's environment. */
export function stepDefinitionEnvironment(step: Pick<Step, 'script' | 'runtime' | 'command' | 'modules'>): Record<string, string> {
  const env: Record<string, string> = {};
  if ((step.script === undefined) === (step.command === undefined)) throw new StepContractError('a step has exactly one of script and command');
  if (step.script !== undefined) {
    if (step.runtime === undefined) throw new StepContractError(`the script ${step.script} has no runtime`);
    env[STEP_SCRIPT] = step.script;
    env[STEP_RUNTIME] = step.runtime;
  }
  if (step.command !== undefined) env[STEP_COMMAND] = JSON.stringify(step.command);
  if (step.modules.length > 0) env[STEP_MODULES] = JSON.stringify(step.modules);
  return env;
}

export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new StepContractError(`${STEP_SCRIPT}=${JSON.stringify(url)}: expected s3://bucket/key`);
  return { bucket: match[1]!, key: match[2]! };
}

function jsonStrings(name: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new StepContractError(`${name}=${JSON.stringify(text)}: not JSON`, { cause });
  }
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new StepContractError(`${name}=${JSON.stringify(text)}: expected a JSON array of strings`);
  }
  return value;
}

/** The step's contract read back from the runner's environment; throws StepContractError naming what is wrong. */
export function parseStepContract(env: Readonly<Record<string, string | undefined>>): StepLaunch {
  const set = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const script = set(STEP_SCRIPT);
  const command = set(STEP_COMMAND);
  const runtime = set(STEP_RUNTIME);
  const modulesText = set(STEP_MODULES);
  if ((script === undefined) === (command === undefined)) throw new StepContractError(`set exactly one of ${STEP_SCRIPT} and ${STEP_COMMAND}`);
  const modules = modulesText === undefined ? [] : jsonStrings(STEP_MODULES, modulesText);
  const option = modules.find((m) => !MODULE.test(m));
  if (option !== undefined) throw new StepContractError(`${STEP_MODULES}: ${JSON.stringify(option)} is not a pip requirement`);
  if (script !== undefined) {
    if (!(RUNTIMES as readonly string[]).includes(runtime ?? '')) {
      throw new StepContractError(`${STEP_RUNTIME}=${JSON.stringify(runtime ?? '')}: expected one of ${RUNTIMES.join(', ')}`);
    }
    return { kind: 'script', url: script, script: parseS3Url(script), runtime: runtime as Runtime, modules };
  }
  if (runtime !== undefined) throw new StepContractError(`${STEP_RUNTIME} applies to a script, not to ${STEP_COMMAND}`);
  const argv = jsonStrings(STEP_COMMAND, command!);
  if (argv.length === 0 || argv[0] === '') throw new StepContractError(`${STEP_COMMAND}: the command is empty`);
  return { kind: 'command', command: argv, modules };
}

/** Whether `name` is one of the step's own variables rather than a drover setting. */
export function isStepVariable(name: string): boolean {
  return STEP_VARIABLES.has(name) || STEP_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * The environment without the step's variables: what the runner hands the configuration,
 * which refuses every DROVER_* name that is not a setting.
 */
export function withoutStepVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isStepVariable(name)));
}
