import { BatchClientError } from './errors.js';
import type { EvaluateOnExit, JobTimeout, KeyValuePair, RetryStrategy } from './types.js';

/**
 * Readers of request fields. Each one names the field in its error, because the SDK
 * surfaces only the message and the caller has to find the bad field from it.
 */

export type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectField(body: Fields, key: string, path = key): Fields | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new BatchClientError(`${path} must be an object`);
  return value;
}

export function stringField(body: Fields, key: string, path = key): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BatchClientError(`${path} must be a string`);
  return value;
}

export function requiredString(body: Fields, key: string, path = key): string {
  const value = stringField(body, key, path);
  if (value === undefined || value === '') throw new BatchClientError(`${path} is required`);
  return value;
}

export function intField(body: Fields, key: string, min: number, max: number, path = key): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BatchClientError(`${path} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function arrayField(body: Fields, key: string, path = key): unknown[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new BatchClientError(`${path} must be a list`);
  return value;
}

export function stringList(body: Fields, key: string, path = key): string[] | undefined {
  const list = arrayField(body, key, path);
  if (list === undefined) return undefined;
  return list.map((item, i) => {
    if (typeof item !== 'string') throw new BatchClientError(`${path}[${i}] must be a string`);
    return item;
  });
}

export function stringMap(body: Fields, key: string, path = key): Record<string, string> | undefined {
  const value = objectField(body, key, path);
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new BatchClientError(`${path}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/** AWS reserves the AWS_BATCH prefix for the variables it sets itself. */
export function environmentList(body: Fields, key: string, path = key): KeyValuePair[] | undefined {
  const list = arrayField(body, key, path);
  if (list === undefined) return undefined;
  return list.map((item, i) => {
    const where = `${path}[${i}]`;
    if (!isObject(item)) throw new BatchClientError(`${where} must be an object`);
    const name = requiredString(item, 'name', `${where}.name`);
    if (name.startsWith('AWS_BATCH')) {
      throw new BatchClientError(`${where}.name ${name}: variables starting with AWS_BATCH are reserved`);
    }
    return { name, value: stringField(item, 'value', `${where}.value`) ?? '' };
  });
}

export function resourceRequirements(body: Fields, key: string, path = key): Array<{ type: string; value: string }> | undefined {
  const list = arrayField(body, key, path);
  if (list === undefined) return undefined;
  return list.map((item, i) => {
    const where = `${path}[${i}]`;
    if (!isObject(item)) throw new BatchClientError(`${where} must be an object`);
    const type = requiredString(item, 'type', `${where}.type`);
    if (!['VCPU', 'MEMORY', 'GPU'].includes(type)) {
      throw new BatchClientError(`${where}.type must be VCPU, MEMORY or GPU, got ${type}`);
    }
    const value = requiredString(item, 'value', `${where}.value`);
    if (!(Number(value) > 0)) throw new BatchClientError(`${where}.value must be a positive number, got ${value}`);
    return { type, value };
  });
}

/** vCPUs from resourceRequirements (preferred, as AWS does) or the legacy `vcpus` field. */
export function vcpusOf(requirements: Array<{ type: string; value: string }> | undefined, legacy: number | undefined): number | undefined {
  const fromRequirements = requirements?.find((r) => r.type === 'VCPU')?.value;
  if (fromRequirements !== undefined) return Number(fromRequirements);
  return legacy;
}

export function legacyVcpus(body: Fields, path: string): number | undefined {
  const value = body['vcpus'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new BatchClientError(`${path}.vcpus must be a positive number`);
  return value;
}

/** Memory in MiB from resourceRequirements (preferred, as AWS does) or the legacy `memory` field; undefined for no limit. */
export function memoryOf(requirements: Array<{ type: string; value: string }> | undefined, legacy: number | undefined): number | undefined {
  const fromRequirements = requirements?.find((r) => r.type === 'MEMORY')?.value;
  if (fromRequirements !== undefined) return Number(fromRequirements);
  return legacy;
}

export function legacyMemory(body: Fields, path: string): number | undefined {
  const value = body['memory'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BatchClientError(`${path}.memory must be a positive whole number of MiB, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function retryStrategyField(body: Fields, key: string, path = key): RetryStrategy | undefined {
  const value = objectField(body, key, path);
  if (value === undefined) return undefined;
  const attempts = intField(value, 'attempts', 1, 10, `${path}.attempts`) ?? 1;
  const rules = arrayField(value, 'evaluateOnExit', `${path}.evaluateOnExit`) ?? [];
  if (rules.length > 5) throw new BatchClientError(`${path}.evaluateOnExit holds at most 5 rules`);
  const evaluateOnExit = rules.map((rule, i): EvaluateOnExit => {
    const where = `${path}.evaluateOnExit[${i}]`;
    if (!isObject(rule)) throw new BatchClientError(`${where} must be an object`);
    const action = requiredString(rule, 'action', `${where}.action`).toUpperCase();
    if (action !== 'RETRY' && action !== 'EXIT') throw new BatchClientError(`${where}.action must be RETRY or EXIT, got ${action}`);
    const out: EvaluateOnExit = { action };
    const onExitCode = stringField(rule, 'onExitCode', `${where}.onExitCode`);
    if (onExitCode !== undefined) {
      if (!/^\d*\*?$/.test(onExitCode) || onExitCode === '') {
        throw new BatchClientError(`${where}.onExitCode must be digits, optionally ending with *, got ${onExitCode}`);
      }
      out.onExitCode = onExitCode;
    }
    const onReason = stringField(rule, 'onReason', `${where}.onReason`);
    if (onReason !== undefined) out.onReason = onReason;
    const onStatusReason = stringField(rule, 'onStatusReason', `${where}.onStatusReason`);
    if (onStatusReason !== undefined) out.onStatusReason = onStatusReason;
    return out;
  });
  return { attempts, evaluateOnExit };
}

/** AWS wants at least 60 s; locally any whole second is allowed so tests stay fast. */
export function timeoutField(body: Fields, key: string, path = key): JobTimeout | undefined {
  const value = objectField(body, key, path);
  if (value === undefined) return undefined;
  const seconds = intField(value, 'attemptDurationSeconds', 1, 14 * 24 * 3600, `${path}.attemptDurationSeconds`);
  return seconds === undefined ? undefined : { attemptDurationSeconds: seconds };
}
