import { join, resolve } from 'node:path';
import { BatchOptionsError } from './errors.js';

export interface BatchExecutorOptions {
  /** TCP port of the API; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface the API listens on. Default '127.0.0.1'. */
  host?: string;
  /** vCPU budget: the sum of the vCPUs of the children running at once. Default 4. */
  vcpus?: number;
  /** Working directory of every child. Default process.cwd(). */
  workDir?: string;
  /** Root of the child logs, `<logDir>/<jobId>/<index>.log`. Default `<workDir>/.drover/batch-logs`. */
  logDir?: string;
  /** Job queues that exist from the start (more can be made with CreateJobQueue). Default []. */
  jobQueues?: string[];
  /** Name of the one compute environment, given to children as AWS_BATCH_CE_NAME. Default 'local'. */
  computeEnvironment?: string;
  /** Region in the ARNs handed out. Default 'us-east-1'. */
  region?: string;
  /** Account id in the ARNs handed out. Default '000000000000'. */
  accountId?: string;
  /** How long a finished job stays visible, in ms. Default 3,600,000 (1 hour). */
  retainFinishedMs?: number;
  /** Time between SIGTERM and SIGKILL when a child is stopped, in ms. Default 5000. */
  killGraceMs?: number;
  /** Log lines echoed when a child attempt fails. Default 20. */
  tailLines?: number;
  /**
   * Environment every child starts from, before the job's own variables.
   * Default: the executor's own environment (as a container inherits its image's).
   */
  env?: Record<string, string | undefined>;
  /** Where the log tails of failed children are echoed. Default process.stdout. */
  stdout?: { write(text: string): unknown };
  /** Largest API request body, in bytes. Default 10 MiB. */
  maxBodyBytes?: number;
}

export type ResolvedExecutorOptions = Required<BatchExecutorOptions>;

const KEYS = [
  'port', 'host', 'vcpus', 'workDir', 'logDir', 'jobQueues', 'computeEnvironment', 'region', 'accountId',
  'retainFinishedMs', 'killGraceMs', 'tailLines', 'env', 'stdout', 'maxBodyBytes',
] as const satisfies ReadonlyArray<keyof BatchExecutorOptions>;

export function resolveExecutorOptions(options: BatchExecutorOptions): ResolvedExecutorOptions {
  const unknown = Object.keys(options).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new BatchOptionsError(`Unknown batch executor option(s): ${unknown.join(', ')}`);
  const workDir = resolve(options.workDir ?? process.cwd());
  const resolved: ResolvedExecutorOptions = {
    port: int('port', options.port ?? 0, 0, 65535),
    host: text('host', options.host ?? '127.0.0.1'),
    vcpus: positive('vcpus', options.vcpus ?? 4),
    workDir,
    logDir: resolve(workDir, options.logDir ?? join('.drover', 'batch-logs')),
    jobQueues: (options.jobQueues ?? []).map((q, i) => text(`jobQueues[${i}]`, q)),
    computeEnvironment: text('computeEnvironment', options.computeEnvironment ?? 'local'),
    region: text('region', options.region ?? 'us-east-1'),
    accountId: text('accountId', options.accountId ?? '000000000000'),
    retainFinishedMs: int('retainFinishedMs', options.retainFinishedMs ?? 3_600_000, 0, 2 ** 31 - 1),
    killGraceMs: int('killGraceMs', options.killGraceMs ?? 5000, 0, 2 ** 31 - 1),
    tailLines: int('tailLines', options.tailLines ?? 20, 0, 10_000),
    env: options.env ?? process.env,
    stdout: options.stdout ?? process.stdout,
    maxBodyBytes: int('maxBodyBytes', options.maxBodyBytes ?? 10 * 1024 * 1024, 1, 2 ** 31 - 1),
  };
  return resolved;
}

function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BatchOptionsError(`Batch executor option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new BatchOptionsError(`Batch executor option ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new BatchOptionsError(`Batch executor option ${name} must be a non-empty string`);
  return value;
}
