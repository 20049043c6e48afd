import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BatchClient, CancelJobCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  QUEUE, describe as describeJob, isAlive, readText, register, startHarness, submit, waitFor, waitForJob, waitForStatus,
  writeScript, type Harness,
} from './batch-helpers.js';

/** Writes `<pid> <grandchild pid>` to PID_DIR/<index>, then runs until killed; index 0 ignores SIGTERM. */
const STUBBORN_CHILD = `
  const fs = require('node:fs');
  const path = require('node:path');
  const { spawn } = require('node:child_process');
  const index = process.env.AWS_BATCH_JOB_ARRAY_INDEX ?? 'job';
  if (index === '0') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(process.env.PID_DIR, index + '.tmp'), process.pid + ' ' + grandchild.pid);
  fs.renameSync(path.join(process.env.PID_DIR, index + '.tmp'), path.join(process.env.PID_DIR, index));
  setInterval(() => {}, 1000);
`;

function pidsOf(pidDir: string, index: string): number[] {
  return readText(join(pidDir, index)).split(' ').map(Number);
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ vcpus: 4 });
});

afterAll(async () => {
  await h.close();
});

describe('TerminateJob and CancelJob', () => {
  it('kills the running children and their process groups, fails the rest, and fails the parent', async () => {
    const pidDir = join(h.dir, 'pids');
    mkdirSync(pidDir);
    const script = writeScript(h.dir, 'stubborn.cjs', STUBBORN_CHILD);
    const jobDefinition = await register(h.client, {
      command: ['node', script],
      containerProperties: { environment: [{ name: 'PID_DIR', value: pidDir }] },
      retryStrategy: { attempts: 3 },
    });
    const jobId = await submit(h.client, { jobDefinition, arrayProperties: { size: 6 } });
    // The budget of 4 runs children 0-3; 4 and 5 wait.
    await waitFor('four children to start', () => (['0', '1', '2', '3'].every((i) => existsSync(join(pidDir, i))) ? true : undefined));
    const pids = ['0', '1', '2', '3'].flatMap((i) => pidsOf(pidDir, i));
    expect(pids.every(isAlive)).toBe(true);

    await h.client.send(new TerminateJobCommand({ jobId, reason: 'stopped by the test' }));
    const parent = await waitForJob(h.client, jobId);

    expect(parent.status).toBe('FAILED');
    expect(parent.statusReason).toBe('stopped by the test');
    expect(parent.isTerminated).toBe(true);
    expect(parent.arrayProperties?.statusSummary).toMatchObject({ FAILED: 6, SUCCEEDED: 0, RUNNING: 0 });
    // A zombie grandchild may linger until its adopter reaps it: poll rather than assert at once.
    await waitFor('every child and grandchild to be gone', () => (pids.some(isAlive) ? undefined : true));
    expect(pids.filter(isAlive)).toEqual([]);

    const killed = await describeJob(h.client, `${jobId}:0`);
    expect(killed.statusReason).toBe('stopped by the test');
    // Child 0 ignored SIGTERM, so it took the SIGKILL after the grace period.
    expect(killed.attempts?.map((a) => [a.container?.exitCode, a.statusReason])).toEqual([[137, 'stopped by the test']]);
    expect((await describeJob(h.client, `${jobId}:1`)).attempts?.map((a) => a.container?.exitCode)).toEqual([143]);
    const neverStarted = await describeJob(h.client, `${jobId}:5`);
    expect(neverStarted.status).toBe('FAILED');
    expect(neverStarted.statusReason).toBe('stopped by the test');
    expect(neverStarted.attempts).toEqual([]);
    expect(existsSync(join(pidDir, '5'))).toBe(false);
  });

  it('cancels a job and marks it cancelled', async () => {
    const jobDefinition = await register(h.client, { command: ['node', '-e', 'setInterval(() => {}, 1000)'] });
    const jobId = await submit(h.client, { jobDefinition });
    await waitForStatus(h.client, jobId, 'RUNNING');
    await h.client.send(new CancelJobCommand({ jobId, reason: 'no longer needed' }));
    const job = await waitForJob(h.client, jobId);
    expect([job.status, job.statusReason, job.isCancelled]).toEqual(['FAILED', 'no longer needed', true]);
    expect(job.attempts?.map((a) => a.container?.exitCode)).toEqual([143]);
  });
});

describe('main.ts', () => {
  it('serves the API and kills its children on SIGTERM', async () => {
    const dir = join(h.dir, 'cli');
    const pidDir = join(dir, 'pids');
    mkdirSync(pidDir, { recursive: true });
    const script = writeScript(dir, 'stubborn.cjs', STUBBORN_CHILD);
    const cli = spawn(process.execPath, [
      join(process.cwd(), 'dist', 'batch', 'main.js'), '--port', '0', '--vcpus', '2', '--work-dir', dir,
      '--job-queue', QUEUE, '--kill-grace-ms', '300',
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const url = await waitFor('the listening line', () => /batch executor listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]);

    const client = new BatchClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const jobDefinition = await register(client, {
        command: [process.execPath, script],
        containerProperties: { environment: [{ name: 'PID_DIR', value: pidDir }] },
      });
      await submit(client, { jobDefinition, arrayProperties: { size: 2 } });
      await waitFor('both children to start', () => (existsSync(join(pidDir, '0')) && existsSync(join(pidDir, '1')) ? true : undefined));
    } finally {
      client.destroy();
    }
    const pids = ['0', '1'].flatMap((i) => pidsOf(pidDir, i));
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('no orphans', () => (pids.some(isAlive) ? undefined : true));
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
