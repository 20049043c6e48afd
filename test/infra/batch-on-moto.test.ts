/**
 * The fan-out's AWS Batch calls (SubmitJob, DescribeJobs) against moto's Batch API in its
 * Docker-free mode: the real runArrayJob activity, run by Temporal's activity harness.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DescribeJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { MockActivityEnvironment } from '@temporalio/testing';
import { runArrayJobActivity, type ArrayJobHeartbeat } from '../../activities/run-array-job.js';
import type { ArrayJobResult } from '../../activities/types.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../config/aws-clients.js';
import { loadConfig, type Config } from '../../config/load-config.js';
import { createRunTable } from '../../run-data/run-table.js';
import { startMoto } from '../support/moto.js';
import { motoQuery } from './moto-query.js';

const QUEUE = 'drover-scrape-moto';
const DEFINITION = 'drover-scraper-moto';
const RUN_ID = 'credit-0123456789ab';
const TABLE = `drover-run-${RUN_ID}`;

describe('runArrayJob against moto Batch', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let aws: AwsClients;
  let config: Config;
  let queueArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    // batch_simple: jobs are accepted and marked SUCCEEDED without running a container.
    const set = await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ batch: { use_docker: false } }) });
    expect(((await set.json()) as { batch: { use_docker: boolean } }).batch.use_docker).toBe(false);

    config = loadConfig({
      useStackFile: false,
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: moto.endpoint,
        BATCH_ENDPOINT_URL: moto.endpoint,
        BATCH_JOB_QUEUE: QUEUE,
        BATCH_JOB_DEFINITION: DEFINITION,
        DROVER_BATCH_POLL_SECONDS: '0.1',
        TAX_SOURCE_URL: 'http://portal.invalid',
      },
    });
    aws = createAwsClients(config);

    const roleXml = await motoQuery(moto.endpoint, 'iam', {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'batch-service',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    });
    const roleArn = /<Arn>([^<]+)<\/Arn>/.exec(roleXml)![1]!;
    const ce = await aws.batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: 'drover-moto', type: 'UNMANAGED', state: 'ENABLED', serviceRole: roleArn }));
    const queue = await aws.batch.send(
      new CreateJobQueueCommand({ jobQueueName: QUEUE, state: 'ENABLED', priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn! }] }),
    );
    queueArn = queue.jobQueueArn!;
    await aws.batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: DEFINITION,
        type: 'container',
        containerProperties: { image: 'drover:local', command: ['node', 'dist/workers/child.bundle.js'], resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '2048' }] },
      }),
    );
    await createRunTable(aws.dynamodb, TABLE, RUN_ID);
  });

  afterAll(async () => {
    if (aws) destroyAwsClients(aws);
    await moto?.close();
  });

  it('submits the chunk as an array job that Batch accepts and reports SUCCEEDED', async () => {
    const env = new MockActivityEnvironment();
    const heartbeats: ArrayJobHeartbeat[] = [];
    env.on('heartbeat', (d: ArrayJobHeartbeat) => heartbeats.push(d));
    const activity = runArrayJobActivity({ aws, config });
    const result = (await env.run(activity, {
      resources: { runId: RUN_ID, bucket: 'drover-input', table: TABLE, tmpPrefix: `tmp/${RUN_ID}/` },
      chunk: { index: 3, key: `tmp/${RUN_ID}/chunks/0003.jsonl`, indexKey: `tmp/${RUN_ID}/chunks/0003.index.json`, count: 5, firstSeq: 30000, children: 2 },
    })) as ArrayJobResult;

    // Nothing ran, so no child wrote a result: every record counts as failed.
    expect(result).toEqual({ jobId: expect.any(String), status: 'SUCCEEDED', done: 0, failed: 5 });
    expect(heartbeats[0]).toEqual({ jobId: result.jobId });
    expect(heartbeats.at(-1)).toMatchObject({ jobId: result.jobId, status: 'SUCCEEDED' });

    const { jobs } = await aws.batch.send(new DescribeJobsCommand({ jobs: [result.jobId] }));
    const job = jobs![0]!;
    expect(job.status).toBe('SUCCEEDED');
    expect(job.jobName).toBe(`drover-${RUN_ID}-chunk-3`);
    expect(job.jobQueue).toBe(queueArn);
    expect(job.jobDefinition).toMatch(new RegExp(`job-definition/${DEFINITION}:1$`));
    expect(job.arrayProperties?.size).toBe(2);
    const environment = Object.fromEntries((job.container?.environment ?? []).map((e) => [e.name, e.value]));
    expect(environment).toMatchObject({
      JOB_RUN_ID: RUN_ID,
      JOB_TABLE: TABLE,
      JOB_CHUNK_INDEX: '3',
      JOB_CHUNK_KEY: `tmp/${RUN_ID}/chunks/0003.jsonl`,
      TAX_SOURCE_URL: 'http://portal.invalid',
    });
  });

  it('re-attaches a retried attempt that has no job id from a heartbeat to the job the chunk already has', async () => {
    const activity = runArrayJobActivity({ aws, config });
    const input = {
      resources: { runId: RUN_ID, bucket: 'drover-input', table: TABLE, tmpPrefix: `tmp/${RUN_ID}/` },
      chunk: { index: 4, key: `tmp/${RUN_ID}/chunks/0004.jsonl`, indexKey: `tmp/${RUN_ID}/chunks/0004.index.json`, count: 5, firstSeq: 40000, children: 2 },
    };
    const first = (await new MockActivityEnvironment().run(activity, input)) as ArrayJobResult;
    // As if the first attempt's worker died between SubmitJob and its first heartbeat.
    const retried = (await new MockActivityEnvironment({ attempt: 2 }).run(activity, input)) as ArrayJobResult;
    expect(retried.jobId).toBe(first.jobId);
    const third = (await new MockActivityEnvironment({ attempt: 1 }).run(activity, { ...input, chunk: { ...input.chunk, index: 5 } })) as ArrayJobResult;
    expect(third.jobId).not.toBe(first.jobId);
  });

  it('does not re-attach to a job of another run whose name is the same: whose a job is, its tag says', async () => {
    const activity = runArrayJobActivity({ aws, config });
    // `credit.x` and `credit-x` both name their chunk 6's job drover-credit-x-chunk-6.
    const foreign = await aws.batch.send(
      new SubmitJobCommand({ jobName: 'drover-credit-x-chunk-6', jobQueue: QUEUE, jobDefinition: DEFINITION, tags: { 'drover:run-id': 'credit-x' } }),
    );
    const input = {
      resources: { runId: 'credit.x', bucket: 'drover-input', table: TABLE, tmpPrefix: 'tmp/credit.x/' },
      chunk: { index: 6, key: 'tmp/credit.x/chunks/0006.jsonl', indexKey: 'tmp/credit.x/chunks/0006.index.json', count: 5, firstSeq: 60000, children: 2 },
    };
    const retried = (await new MockActivityEnvironment({ attempt: 2 }).run(activity, input)) as ArrayJobResult;
    expect(retried.jobId).not.toBe(foreign.jobId);
    const { jobs } = await aws.batch.send(new DescribeJobsCommand({ jobs: [retried.jobId] }));
    expect(jobs?.[0]).toMatchObject({ jobName: 'drover-credit-x-chunk-6', tags: { 'drover:run-id': 'credit.x' } });
  });
});
