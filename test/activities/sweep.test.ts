/**
 * The sweeper tells whose a Batch job is by its `drover:run-id` tag, not by its name: a job's
 * name is the run id with some characters rewritten, so two runs' jobs can share one. AWS is
 * replaced by fakes that answer the commands the sweeper sends, and Temporal by a fake that
 * says which runs are closed.
 */
import { describe, expect, it } from '@jest/globals';
import { DescribeJobsCommand, ListJobsCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities/deps.js';
import { sweepActivity } from '../../activities/sweep.js';
import type { Config } from '../../config/load-config.js';

interface FakeJob {
  jobId: string;
  jobName: string;
  tags?: Record<string, string>;
}

function fakes(jobs: FakeJob[], status: Record<string, 'RUNNING' | 'TERMINATED'>) {
  const terminated: string[] = [];
  const batch = {
    async send(command: unknown) {
      if (command instanceof ListJobsCommand) {
        // Every job is RUNNING, listed two to a page as ListJobs pages them.
        if (command.input.jobStatus !== 'RUNNING') return { jobSummaryList: [] };
        const from = Number(command.input.nextToken ?? 0);
        const page = jobs.slice(from, from + 2).map(({ jobId, jobName }) => ({ jobId, jobName }));
        return { jobSummaryList: page, ...(from + 2 < jobs.length && { nextToken: String(from + 2) }) };
      }
      if (command instanceof DescribeJobsCommand) return { jobs: jobs.filter((j) => command.input.jobs!.includes(j.jobId)) };
      if (command instanceof TerminateJobCommand) return void terminated.push(command.input.jobId!);
      throw new Error(`unexpected Batch command ${(command as object).constructor.name}`);
    },
  };
  const dynamodb = {
    async send(command: unknown) {
      if (command instanceof ListTablesCommand) return { TableNames: [] };
      throw new Error(`unexpected DynamoDB command ${(command as object).constructor.name}`);
    },
  };
  const s3 = {
    async send(command: unknown) {
      if (command instanceof ListObjectsV2Command) return { CommonPrefixes: [], Contents: [] };
      if (command instanceof DeleteObjectsCommand) return {};
      throw new Error(`unexpected S3 command ${(command as object).constructor.name}`);
    },
  };
  const temporal = {
    workflow: {
      getHandle: (workflowId: string) => ({
        async describe() {
          const name = status[workflowId];
          if (!name) throw new WorkflowNotFoundError('not found', workflowId, undefined);
          return { status: { name } };
        },
      }),
    },
  };
  const config = { aws: { tablePrefix: 'drover-run-', bucket: 'drover' }, batch: { jobQueue: 'drover-queue' } } as unknown as Config;
  const deps = { aws: { batch, dynamodb, s3, ses: {} }, config, temporal: temporal as unknown as Client } as unknown as ActivityDeps;
  return { deps, terminated };
}

describe('sweepOrphans', () => {
  it('terminates the jobs of closed runs by their tag, and leaves a live run whose jobs share their name', async () => {
    const { deps, terminated } = fakes(
      [
        // Both runs' jobs are named drover-a-b-chunk-0: `a.b` is rewritten to `a-b`.
        { jobId: 'live-0', jobName: 'drover-a-b-chunk-0', tags: { 'drover:run-id': 'a.b' } },
        { jobId: 'closed-0', jobName: 'drover-a-b-chunk-0', tags: { 'drover:run-id': 'a-b' } },
        { jobId: 'closed-1', jobName: 'drover-a-b-chunk-1', tags: { 'drover:run-id': 'a-b' } },
        // A job whose name looks like a run's but that no run tagged: not the sweeper's to touch.
        { jobId: 'other', jobName: 'drover-gone-chunk-0' },
        // A run Temporal no longer knows: closed too.
        { jobId: 'forgotten-0', jobName: 'drover-forgotten-chunk-0', tags: { 'drover:run-id': 'forgotten' } },
      ],
      { 'a.b': 'RUNNING', 'a-b': 'TERMINATED' },
    );
    const result = await new MockActivityEnvironment().run(sweepActivity(deps));
    expect(terminated.sort()).toEqual(['closed-0', 'closed-1', 'forgotten-0']);
    expect(result).toEqual({ runs: ['a-b', 'forgotten'], tables: 0, objects: 0, jobs: 3 });
  });
});
