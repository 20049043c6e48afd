/**
 * The sweeper tells whose a Batch job is by its `drover:run-id` tag, not by its name: a job's
 * name is the run id with some characters rewritten, so two runs' jobs can share one. AWS is
 * replaced by fakes that answer the commands the sweeper sends, and Temporal by a fake that
 * says which runs are closed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeJobsCommand, ListJobsCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../activities/deps.js';
import { sweepActivity } from '../../activities/sweep.js';
import type { Config } from '../../config/load-config.js';
import { sql } from 'kysely';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

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
  const config = { aws: { tablePrefix: 'drover-run-', bucket: 'drover' }, batch: { jobQueue: 'drover-queue' }, database: {} } as unknown as Config;
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

describe('sweepOrphans and the ledger\'s retention', () => {
  let server: TestPostgres;
  let ledger: Ledger;

  beforeAll(async () => {
    server = await startPostgres();
    ledger = openLedger(server.url);
    await migrateToLatest(ledger);
    await sql`insert into jobs (job_id, latest_version) values ('feeds', 1)`.execute(ledger);
    await sql`insert into job_versions (job_id, version, document) values ('feeds', 1, '{}')`.execute(ledger);
  }, 120_000);

  afterAll(async () => {
    await ledger?.destroy();
    await server?.stop();
  });

  const processIds = async () => (await sql<{ process_id: string }>`select process_id from processes order by process_id`.execute(ledger)).rows.map((r) => r.process_id);

  it('prunes the processes older than DROVER_LEDGER_RETENTION_DAYS once it has swept, and only when it is set', async () => {
    for (const [id, days] of [['old', 10], ['new', 1]] as const) {
      await sql`insert into processes (process_id, job_id, version, status, triggered_by, created_at, finished_at)
        values (${id}, 'feeds', 1, 'SUCCEEDED', 'cli:test', now() - make_interval(days => ${days}), now() - make_interval(days => ${days}))`.execute(ledger);
    }
    const { deps } = fakes([], {});
    const unset = await new MockActivityEnvironment().run(sweepActivity({ ...deps, ledger }));
    expect(unset).toEqual({ runs: [], tables: 0, objects: 0, jobs: 0 });
    expect(await processIds()).toEqual(['new', 'old']);

    const config = { ...deps.config, database: { retentionDays: 5 } };
    const set = await new MockActivityEnvironment().run(sweepActivity({ ...deps, config, ledger }));
    expect(set).toEqual({ runs: [], tables: 0, objects: 0, jobs: 0, processesPruned: 1 });
    expect(await processIds()).toEqual(['new']);
  });
});
