import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { register, startHarness, submit, waitForJob, type Harness } from './batch-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe('retries and timeouts', () => {
  it('retries a child that fails its first attempt and records both attempts', async () => {
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', `
        if (process.env.AWS_BATCH_JOB_ATTEMPT === '1') { console.log('first attempt fails on purpose'); process.exit(1); }
        console.log('second attempt works');
      `],
      retryStrategy: { attempts: 2 },
    });
    const jobId = await submit(h.client, { jobDefinition, arrayProperties: { size: 2 } });
    const parent = await waitForJob(h.client, jobId);
    expect(parent.status).toBe('SUCCEEDED');

    const children = await Promise.all([0, 1].map((i) => waitForJob(h.client, `${jobId}:${i}`)));
    for (const child of children) {
      expect(child.status).toBe('SUCCEEDED');
      expect(child.attempts?.map((a) => a.container?.exitCode)).toEqual([1, 0]);
    }
    expect(h.echoed).toContain(`[${jobId}:0] first attempt fails on purpose`);
    expect(h.echoed).not.toContain(`[${jobId}:0] second attempt works`);
  });

  it('does not retry when an evaluateOnExit rule says EXIT', async () => {
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', 'process.exit(3)'],
      retryStrategy: {
        attempts: 3,
        evaluateOnExit: [{ onExitCode: '3', action: 'EXIT' }, { onExitCode: '*', action: 'RETRY' }],
      },
    });
    const jobId = await submit(h.client, { jobDefinition });
    const job = await waitForJob(h.client, jobId);
    expect(job.status).toBe('FAILED');
    expect(job.attempts?.map((a) => a.container?.exitCode)).toEqual([3]);
    expect(job.arrayProperties).toBeUndefined();
  });

  it('retries up to attempts when the exit code matches a RETRY glob, and the submit override wins', async () => {
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', 'process.exit(42)'],
      retryStrategy: { attempts: 1 },
    });
    const jobId = await submit(h.client, {
      jobDefinition,
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onExitCode: '4*', action: 'RETRY' }, { onExitCode: '*', action: 'EXIT' }] },
    });
    const job = await waitForJob(h.client, jobId);
    expect(job.status).toBe('FAILED');
    expect(job.attempts?.map((a) => a.container?.exitCode)).toEqual([42, 42, 42]);
  });

  it('kills an attempt that runs past attemptDurationSeconds and, as Batch does, does not retry it', async () => {
    // Batch's user guide (Job timeouts): a job terminated for exceeding its timeout isn't retried.
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', 'setTimeout(() => {}, 60000)'],
      timeout: { attemptDurationSeconds: 1 },
      retryStrategy: { attempts: 2 },
    });
    const jobId = await submit(h.client, { jobDefinition });
    const job = await waitForJob(h.client, jobId);
    expect(job.status).toBe('FAILED');
    expect(job.statusReason).toBe('Job attempt duration exceeded timeout');
    expect(job.attempts?.map((a) => [a.statusReason, a.container?.exitCode])).toEqual([
      ['Job attempt duration exceeded timeout', 143],
    ]);
  });

  it('fails an attempt whose command cannot start, with the reason', async () => {
    const jobDefinition = await register(h.client, { command: ['no-such-command-drover-test'] });
    const jobId = await submit(h.client, { jobDefinition });
    const job = await waitForJob(h.client, jobId);
    expect(job.status).toBe('FAILED');
    expect(job.attempts?.[0]?.container?.exitCode).toBeUndefined();
    expect(job.attempts?.[0]?.container?.reason).toBe('CannotStartContainerError: spawn no-such-command-drover-test ENOENT');
  });
});
