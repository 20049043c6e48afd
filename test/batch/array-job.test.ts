import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeJobDefinitionsCommand, ListJobsCommand, RegisterJobDefinitionCommand, type JobSummary } from '@aws-sdk/client-batch';
import { join } from 'node:path';
import { QUEUE, describe as describeJob, readText, register, startHarness, submit, waitForJob, writeScript, type Harness } from './batch-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

describe('array job', () => {
  it('runs every child with its index, the merged environment and the substituted command', async () => {
    const script = writeScript(h.dir, 'write-index.cjs', `
      const fs = require('node:fs');
      const e = process.env;
      const line = [e.AWS_BATCH_JOB_ARRAY_INDEX, e.GREETING, e.KEPT, process.argv[2], e.AWS_BATCH_JOB_ID,
        e.AWS_BATCH_JOB_ATTEMPT, e.AWS_BATCH_JQ_NAME, e.AWS_BATCH_CE_NAME, process.cwd()].join('|');
      fs.writeFileSync(require('node:path').join(e.OUT_DIR, 'child-' + e.AWS_BATCH_JOB_ARRAY_INDEX + '.txt'), line);
    `);
    const jobDefinition = await register(h.client, {
      jobDefinitionName: 'write-index',
      command: ['node', script, 'Ref::mode'],
      parameters: { mode: 'plain' },
      containerProperties: {
        environment: [{ name: 'GREETING', value: 'from-definition' }, { name: 'KEPT', value: 'kept' }, { name: 'OUT_DIR', value: h.dir }],
        resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '512' }],
      },
    });
    expect(jobDefinition).toBe('arn:aws:batch:us-east-1:000000000000:job-definition/write-index:1');

    const jobId = await submit(h.client, {
      jobName: 'five-children',
      jobDefinition: 'write-index',
      arrayProperties: { size: 5 },
      parameters: { mode: 'fancy' },
      containerOverrides: { environment: [{ name: 'GREETING', value: 'from-override' }] },
    });
    const parent = await waitForJob(h.client, jobId);

    expect(parent.status).toBe('SUCCEEDED');
    expect(parent.jobName).toBe('five-children');
    expect(parent.jobDefinition).toBe(jobDefinition);
    expect(parent.jobQueue).toBe(`arn:aws:batch:us-east-1:000000000000:job-queue/${QUEUE}`);
    expect(parent.arrayProperties?.size).toBe(5);
    expect(parent.arrayProperties?.statusSummary).toEqual({
      SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 5, FAILED: 0,
    });
    expect(parent.container?.command).toEqual(['node', script, 'fancy']);
    expect(typeof parent.createdAt).toBe('number');
    expect(parent.stoppedAt).toBeGreaterThanOrEqual(parent.createdAt!);
    for (let i = 0; i < 5; i++) {
      expect(readText(join(h.dir, `child-${i}.txt`)))
        .toBe(`${i}|from-override|kept|fancy|${jobId}:${i}|1|${QUEUE}|local|${h.dir}`);
    }

    const child = await describeJob(h.client, `${jobId}:3`);
    expect(child.jobId).toBe(`${jobId}:3`);
    expect(child.status).toBe('SUCCEEDED');
    expect(child.arrayProperties).toEqual({ index: 3 });
    expect(child.attempts).toHaveLength(1);
    expect(child.attempts?.[0]?.container?.exitCode).toBe(0);
    expect(child.attempts?.[0]?.statusReason).toBe('Essential container in task exited');
    expect(child.startedAt).toBeGreaterThanOrEqual(child.createdAt!);
    expect(child.stoppedAt).toBeGreaterThanOrEqual(child.startedAt!);
    expect(readText(join(h.dir, '.drover', 'batch-logs', jobId, '3.log'))).toContain(`${jobId}:3 attempt 1 started`);
    expect(h.echoed).toEqual([]);
  });

  it('numbers revisions and answers DescribeJobDefinitions by name and status', async () => {
    const first = await h.client.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: 'revised', type: 'container', containerProperties: { command: ['node', '-e', '0'], vcpus: 1 },
    }));
    const second = await h.client.send(new RegisterJobDefinitionCommand({
      jobDefinitionName: 'revised', type: 'container', containerProperties: { command: ['node', '-e', '1'] },
      retryStrategy: { attempts: 3 },
    }));
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(second.jobDefinitionName).toBe('revised');

    const described = await h.client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'revised', status: 'ACTIVE' }));
    expect(described.jobDefinitions?.map((d) => [d.revision, d.status, d.containerProperties?.command])).toEqual([
      [1, 'ACTIVE', ['node', '-e', '0']],
      [2, 'ACTIVE', ['node', '-e', '1']],
    ]);
    const one = await h.client.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ['revised:2'] }));
    expect(one.jobDefinitions?.map((d) => d.retryStrategy?.attempts)).toEqual([3]);
    const none = await h.client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'never-registered' }));
    expect(none.jobDefinitions).toEqual([]);
  });

  it('lists the children of an array job by status, page by page', async () => {
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', 'process.exit(Number(process.env.AWS_BATCH_JOB_ARRAY_INDEX) % 2)'],
    });
    const jobId = await submit(h.client, { jobName: 'odd-fail', jobDefinition, arrayProperties: { size: 4 } });
    const parent = await waitForJob(h.client, jobId);
    expect(parent.status).toBe('FAILED');
    expect(parent.statusReason).toBe('2 of 4 child jobs failed');
    expect(parent.arrayProperties?.statusSummary).toMatchObject({ SUCCEEDED: 2, FAILED: 2 });

    const list = async (jobStatus: 'SUCCEEDED' | 'FAILED'): Promise<JobSummary[]> => {
      const all: JobSummary[] = [];
      let nextToken: string | undefined;
      do {
        const page = await h.client.send(new ListJobsCommand({ arrayJobId: jobId, jobStatus, maxResults: 1, nextToken }));
        expect(page.jobSummaryList?.length).toBeLessThanOrEqual(1);
        all.push(...page.jobSummaryList ?? []);
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return all;
    };
    const succeeded = await list('SUCCEEDED');
    const failed = await list('FAILED');
    expect(succeeded.map((s) => s.jobId)).toEqual([`${jobId}:0`, `${jobId}:2`]);
    expect(failed.map((s) => [s.jobId, s.arrayProperties?.index, s.container?.exitCode])).toEqual([
      [`${jobId}:1`, 1, 1],
      [`${jobId}:3`, 3, 1],
    ]);

    const byQueue = await h.client.send(new ListJobsCommand({ jobQueue: QUEUE, jobStatus: 'FAILED' }));
    expect(byQueue.jobSummaryList?.map((s) => [s.jobId, s.jobName, s.arrayProperties?.size])).toEqual([[jobId, 'odd-fail', 4]]);
    const byName = await h.client.send(new ListJobsCommand({ jobQueue: QUEUE, filters: [{ name: 'JOB_NAME', values: ['odd-*'] }] }));
    expect(byName.jobSummaryList?.map((s) => s.jobId)).toEqual([jobId]);

    // The failures' log tails are echoed, each line prefixed with the child id.
    expect(h.echoed.filter((l) => l.startsWith(`[${jobId}:1] attempt 1 failed (exit code 1)`))).toHaveLength(1);
    expect(h.echoed.some((l) => l.startsWith(`[${jobId}:0]`))).toBe(false);
  });
});
