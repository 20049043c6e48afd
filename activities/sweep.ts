import { DescribeJobsCommand, ListJobsCommand, TerminateJobCommand, type JobStatus } from '@aws-sdk/client-batch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { pruneLedger } from '../ledger/retention.js';
import { RUN_ID_TAG, runResources } from '../run-data/names.js';
import { deleteRunTable } from '../run-data/run-table.js';
import type { ActivityDeps } from './deps.js';
import { deletePrefix } from '../storage/s3-files.js';

export interface SweepResult {
  /** Runs whose leftovers were removed. */
  runs: string[];
  tables: number;
  objects: number;
  jobs: number;
  /** Processes the ledger's retention deleted, when DROVER_LEDGER_RETENTION_DAYS is set. */
  processesPruned?: number;
}

const ACTIVE: JobStatus[] = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];
/** DescribeJobs takes 100 job ids at most. */
const DESCRIBE_BATCH = 100;

/**
 * A terminated run gets no chance to compensate. Everything a run makes carries its run id
 * (its table's name, `tmp/<run id>/`, its jobs' RUN_ID_TAG), so this finds what closed runs left
 * and removes it. A job's run is read from its tag, never from its name: the name is the run id
 * with some characters rewritten, so two runs' jobs can share one.
 */
export function sweepActivity({ aws, config, temporal, ledger }: ActivityDeps) {
  async function isClosed(runId: string): Promise<boolean> {
    if (!temporal) throw new Error('the sweeper needs a Temporal client in its activity dependencies');
    try {
      return (await temporal.workflow.getHandle(runId).describe()).status.name !== 'RUNNING';
    } catch (err) {
      // A run Temporal no longer knows (retention passed) is closed too.
      if (err instanceof WorkflowNotFoundError) return true;
      throw err;
    }
  }

  async function candidateRuns(): Promise<{ tables: Map<string, string>; prefixes: Set<string>; jobs: Map<string, string[]> }> {
    const tables = new Map<string, string>();
    let start: string | undefined;
    do {
      const page = await aws.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      for (const name of page.TableNames ?? []) if (name.startsWith(config.aws.tablePrefix)) tables.set(name.slice(config.aws.tablePrefix.length), name);
      start = page.LastEvaluatedTableName;
    } while (start);

    const prefixes = new Set<string>();
    let token: string | undefined;
    do {
      const page = await aws.s3.send(new ListObjectsV2Command({ Bucket: config.aws.bucket, Prefix: 'tmp/', Delimiter: '/', ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) prefixes.add(p.Prefix!.slice('tmp/'.length, -1));
      token = page.NextContinuationToken;
    } while (token);

    const active: string[] = [];
    for (const jobStatus of ACTIVE) {
      let next: string | undefined;
      do {
        const page = await aws.batch.send(new ListJobsCommand({ jobQueue: config.batch.jobQueue, jobStatus, nextToken: next }));
        for (const job of page.jobSummaryList ?? []) active.push(job.jobId!);
        next = page.nextToken;
      } while (next);
    }
    // ListJobs leaves out the tags: DescribeJobs has them.
    const jobs = new Map<string, string[]>();
    for (let i = 0; i < active.length; i += DESCRIBE_BATCH) {
      const out = await aws.batch.send(new DescribeJobsCommand({ jobs: active.slice(i, i + DESCRIBE_BATCH) }));
      for (const job of out.jobs ?? []) {
        const runId = job.tags?.[RUN_ID_TAG];
        if (runId) jobs.set(runId, [...(jobs.get(runId) ?? []), job.jobId!]);
      }
    }
    return { tables, prefixes, jobs };
  }

  return async function sweepOrphans(): Promise<SweepResult> {
    const { tables, prefixes, jobs } = await candidateRuns();
    const result: SweepResult = { runs: [], tables: 0, objects: 0, jobs: 0 };
    for (const runId of new Set([...tables.keys(), ...prefixes, ...jobs.keys()])) {
      if (!(await isClosed(runId))) continue;
      for (const jobId of jobs.get(runId) ?? []) {
        await aws.batch.send(new TerminateJobCommand({ jobId, reason: `drover sweeper: run ${runId} is closed` }));
        result.jobs++;
      }
      const resources = runResources(runId, config.aws.bucket, config.aws.tablePrefix);
      if (tables.has(runId) && (await deleteRunTable(aws.dynamodb, resources.table))) result.tables++;
      result.objects += await deletePrefix(aws.s3, config.aws.bucket, resources.tmpPrefix);
      result.runs.push(runId);
      Context.current().heartbeat(result);
    }
    // The ledger's retention rides on the sweeper's schedule: a batch a short transaction, each
    // a heartbeat, so the first prune of a long history is not mistaken for a stuck activity.
    const days = config.database.retentionDays;
    if (ledger && days !== undefined) {
      result.processesPruned = 0;
      await pruneLedger(ledger, {
        days,
        onBatch: (batch) => {
          result.processesPruned! += batch.processes;
          Context.current().heartbeat(result);
        },
      });
    }
    return result;
  };
}
