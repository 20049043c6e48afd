/**
 * A process's parameters as the CLI is given them: a JSON file, then each `--param K=V` over
 * it. V is typed by the job's own schema: kept a string where K is a string there (a date
 * such as 2024-01-31 stays a date, 007 stays 007), else read as JSON when it is JSON
 * (`--param limit=5` is the number 5), else a string.
 */
import { readFileSync } from 'node:fs';
import { CliInputError } from './bad-input.js';

export interface ParameterInput {
  paramsFile?: string;
  /** The `--param` values, `K=V`, in the order given. */
  params: string[];
}

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readParamsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CliInputError(`--params-file ${path}: cannot be read (${(cause as Error).message})`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CliInputError(`--params-file ${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isObject(value)) throw new CliInputError(`--params-file ${path} must hold a JSON object of parameters`);
  return value;
}

/** Whether the parameter schema types `name` as a string. */
function isStringParameter(schema: Record<string, unknown>, name: string): boolean {
  const properties = schema['properties'];
  const type = isObject(properties) && isObject(properties[name]) ? properties[name]['type'] : undefined;
  return type === 'string' || (Array.isArray(type) && type.includes('string'));
}

function valueOf(text: string, keepString: boolean): unknown {
  if (keepString) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The parameters `input` gives, typed by `schema` (the job's parameter schema); not yet checked against it. */
export function processParameters(schema: Record<string, unknown>, input: ParameterInput): Record<string, unknown> {
  const parameters = input.paramsFile ? readParamsFile(input.paramsFile) : {};
  for (const param of input.params) {
    const at = param.indexOf('=');
    if (at <= 0) throw new CliInputError(`--param ${JSON.stringify(param)}: expected NAME=VALUE`);
    const name = param.slice(0, at);
    parameters[name] = valueOf(param.slice(at + 1), isStringParameter(schema, name));
  }
  return parameters;
}
