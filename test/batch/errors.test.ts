import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ClientException, CreateJobQueueCommand, DescribeJobQueuesCommand, DescribeJobsCommand, RegisterJobDefinitionCommand,
  SubmitJobCommand, TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { BatchOptionsError } from '../../batch/errors.js';
import { startBatchExecutor } from '../../batch/executor.js';
import { QUEUE, register, startHarness, submit, waitFor, waitForJob, type Harness } from './batch-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

async function clientError(promise: Promise<unknown>): Promise<ClientException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientException) return error;
    throw error;
  }
  throw new Error('expected a ClientException');
}

describe('errors', () => {
  it('refuses a job definition that does not exist with a ClientException', async () => {
    const error = await clientError(h.client.send(new SubmitJobCommand({ jobName: 'x', jobQueue: QUEUE, jobDefinition: 'nope' })));
    expect(error.name).toBe('ClientException');
    expect(error.message).toBe('Job definition nope does not exist');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('names the bad field of a request', async () => {
    const jobDefinition = await register(h.client, { command: ['node', '-e', '0'] });
    const tooSmall = await clientError(h.client.send(new SubmitJobCommand({
      jobName: 'x', jobQueue: QUEUE, jobDefinition, arrayProperties: { size: 1 },
    })));
    expect(tooSmall.message).toBe('arrayProperties.size must be an integer from 2 to 10000, got 1');
    const noQueue = await clientError(h.client.send(new SubmitJobCommand({ jobName: 'x', jobQueue: 'missing', jobDefinition })));
    expect(noQueue.message).toBe('Job queue missing does not exist');
    const reserved = await clientError(h.client.send(new SubmitJobCommand({
      jobName: 'x', jobQueue: QUEUE, jobDefinition, containerOverrides: { environment: [{ name: 'AWS_BATCH_JOB_ID', value: '1' }] },
    })));
    expect(reserved.message).toBe('containerOverrides.environment[0].name AWS_BATCH_JOB_ID: variables starting with AWS_BATCH are reserved');
    const tooWide = await clientError(h.client.send(new SubmitJobCommand({
      jobName: 'x', jobQueue: QUEUE, jobDefinition, containerOverrides: { resourceRequirements: [{ type: 'VCPU', value: '8' }] },
    })));
    expect(tooWide.message).toBe('The job needs 8 vCPUs but the executor\'s budget is 4: it could never start');
    const badRule = await clientError(h.client.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: 'bad', type: 'container', containerProperties: { command: ['true'] },
      retryStrategy: { attempts: 2, evaluateOnExit: [{ onExitCode: '1', action: 'MAYBE' as 'RETRY' }] },
    })));
    expect(badRule.message).toBe('retryStrategy.evaluateOnExit[0].action must be RETRY or EXIT, got MAYBE');
    const noCommand = await clientError(h.client.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: 'bad', type: 'container', containerProperties: { image: 'x' },
    })));
    expect(noCommand.message).toBe('containerProperties.command is required by the local executor (it runs no image)');
    const unknownJob = await clientError(h.client.send(new TerminateJobCommand({ jobId: 'no-such-job', reason: 'x' })));
    expect(unknownJob.message).toBe('Job no-such-job does not exist');
    const tooMany = await clientError(h.client.send(new DescribeJobsCommand({ jobs: Array.from({ length: 101 }, (_, i) => `j${i}`) })));
    expect(tooMany.message).toBe('jobs holds at most 100 ids, got 101');
  });

  it('leaves unknown ids out of DescribeJobs, as AWS does', async () => {
    const out = await h.client.send(new DescribeJobsCommand({ jobs: ['unknown-id', 'unknown-id:3'] }));
    expect(out.jobs).toEqual([]);
  });

  it('creates and describes job queues, refusing duplicates', async () => {
    const created = await h.client.send(new CreateJobQueueCommand({
      jobQueueName: 'extra', priority: 5, computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'my-ce' }],
    }));
    expect(created).toMatchObject({ jobQueueName: 'extra', jobQueueArn: 'arn:aws:batch:us-east-1:000000000000:job-queue/extra' });
    const duplicate = await clientError(h.client.send(new CreateJobQueueCommand({ jobQueueName: 'extra', priority: 1, computeEnvironmentOrder: [] })));
    expect(duplicate.message).toBe('Job queue extra already exists');
    const described = await h.client.send(new DescribeJobQueuesCommand({ jobQueues: ['extra', QUEUE] }));
    expect(described.jobQueues?.map((q) => [q.jobQueueName, q.state, q.status, q.priority])).toEqual([
      [QUEUE, 'ENABLED', 'VALID', 1],
      ['extra', 'ENABLED', 'VALID', 5],
    ]);
  });

  it('forgets a finished job after retainFinishedMs', async () => {
    const short = await startHarness({ retainFinishedMs: 50 });
    try {
      const jobDefinition = await register(short.client, { command: ['node', '-e', '0'] });
      const jobId = await submit(short.client, { jobDefinition });
      expect((await waitForJob(short.client, jobId)).status).toBe('SUCCEEDED');
      const gone = await waitFor('the job to be forgotten', async () => {
        const out = await short.client.send(new DescribeJobsCommand({ jobs: [jobId] }));
        return out.jobs?.length === 0 ? out.jobs : undefined;
      });
      expect(gone).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it('refuses unknown and invalid options', async () => {
    await expect(startBatchExecutor({ vcpu: 2 } as never)).rejects.toThrow(new BatchOptionsError('Unknown batch executor option(s): vcpu'));
    await expect(startBatchExecutor({ vcpus: 0 })).rejects.toMatchObject({ name: 'BatchOptionsError', code: 'BATCH_OPTIONS' });
  });
});
