import {
  BatchClient, DescribeJobsCommand, RegisterJobDefinitionCommand, SubmitJobCommand,
  type JobDetail, type RegisterJobDefinitionCommandInput, type SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { startBatchExecutor, type BatchExecutor, type BatchExecutorOptions } from '../../batch/executor.js';

export const QUEUE = 'test-queue';

export interface Harness {
  executor: BatchExecutor;
  client: BatchClient;
  /** Temp dir: the children's cwd, and where the tests' scripts and outputs live. */
  dir: string;
  /** Lines the executor echoed (log tails of failed children). */
  echoed: string[];
  close(): Promise<void>;
}

/** An executor on port 0 in a fresh temp dir, and a real SDK client pointed at it. */
export async function startHarness(options: BatchExecutorOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'drover-batch-'));
  const echoed: string[] = [];
  const executor = await startBatchExecutor({
    workDir: dir,
    jobQueues: [QUEUE],
    killGraceMs: 500,
    // `node` must resolve through PATH even when the test runner was started by absolute path.
    env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
    stdout: { write: (text: string) => echoed.push(...text.split('\n').filter(Boolean)) },
    ...options,
  });
  const client = new BatchClient({
    endpoint: executor.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    executor, client, dir, echoed,
    close: async () => {
      client.destroy();
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a child script into the harness dir and returns its path. */
export function writeScript(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

export async function register(client: BatchClient, input: Partial<RegisterJobDefinitionCommandInput> & { command: string[] }): Promise<string> {
  const { command, ...rest } = input;
  const out = await client.send(new RegisterJobDefinitionCommand({
    jobDefinitionName: `def-${Math.random().toString(36).slice(2, 10)}`,
    type: 'container',
    ...rest,
    containerProperties: { image: 'unused', command, ...rest.containerProperties },
  }));
  return out.jobDefinitionArn!;
}

export async function submit(client: BatchClient, input: Partial<SubmitJobCommandInput> & { jobDefinition: string }): Promise<string> {
  const out = await client.send(new SubmitJobCommand({ jobName: 'test-job', jobQueue: QUEUE, ...input }));
  return out.jobId!;
}

export async function describe(client: BatchClient, jobId: string): Promise<JobDetail> {
  const out = await client.send(new DescribeJobsCommand({ jobs: [jobId] }));
  const job = out.jobs?.[0];
  if (job === undefined) throw new Error(`DescribeJobs does not know ${jobId}`);
  return job;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls DescribeJobs until the job is SUCCEEDED or FAILED. */
export function waitForJob(client: BatchClient, jobId: string): Promise<JobDetail> {
  return waitFor(`job ${jobId} to finish`, async () => {
    const job = await describe(client, jobId);
    return job.status === 'SUCCEEDED' || job.status === 'FAILED' ? job : undefined;
  });
}

export function waitForStatus(client: BatchClient, jobId: string, status: string): Promise<JobDetail> {
  return waitFor(`job ${jobId} to be ${status}`, async () => {
    const job = await describe(client, jobId);
    return job.status === status ? job : undefined;
  });
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A zombie (exited, not yet reaped by whoever adopted it) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
