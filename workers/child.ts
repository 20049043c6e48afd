/**
 * The Batch array child (the container's entrypoint): scrapes its slice of one chunk and
 * writes its results to the run table a page (100 records) at a time, as each page fills.
 * Exit 0: the slice is done (source failures are ERROR rows, not crashes). Exit 2: input it can never process, which
 * the job's retry strategy does not retry. Anything else is retried by Batch, and a retry
 * skips the records already written.
 */
import { BoundedPool } from '../concurrency/bounded-pool.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { dynamodbClientOptions, s3ClientOptions } from '../config/aws-client-options.js';
import { loadConfigParts } from '../config/load-config.js';
import { readChunkIndex, readSlice } from '../run-data/chunk-format.js';
import { resultsWritten } from '../run-data/results-written.js';
import { createResultWriter } from '../run-data/result-writer.js';
import { toResult } from '../rating/policy.js';
import { createTaxClient } from '../scraper/client.js';
import { budgetHooks, createSourceBudget, type SourceBudget } from '../budget/index.js';
import { CHILD_BAD_INPUT_EXIT } from '../run-data/child-exit.js';
import { errorWithCode } from '../errors/drover-error.js';

/** The child was started without what it needs: input it can never process, so it exits CHILD_BAD_INPUT_EXIT. */
class ChildInputError extends errorWithCode('ChildInputError', 'CHILD_BAD_INPUT') {}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new ChildInputError(`${name} is not set: the child is started by the credit check's array job`);
  return value;
}

async function main(): Promise<void> {
  // A child reads AWS's endpoints and the source's settings, nothing of the stack or the worker.
  const config = loadConfigParts(['aws', 'source']);
  const bucket = required('JOB_BUCKET');
  const table = required('JOB_TABLE');
  const chunk = Number(required('JOB_CHUNK_INDEX'));
  const child = Number(process.env.AWS_BATCH_JOB_ARRAY_INDEX ?? '0');
  const baseUrl = config.source.url;
  if (!baseUrl) throw new ChildInputError('TAX_SOURCE_URL is not set');

  // The two clients a child uses, so it loads two SDK packages of five (it starts once per slice).
  const aws = { s3: new S3Client(s3ClientOptions(config)), dynamodb: new DynamoDBClient(dynamodbClientOptions(config)) };
  let budget: SourceBudget | undefined;
  try {
    const index = await readChunkIndex(aws.s3, bucket, required('JOB_CHUNK_INDEX_KEY'));
    const records = await readSlice(aws.s3, bucket, required('JOB_CHUNK_KEY'), index, child);
    if (!records) throw new ChildInputError(`chunk ${chunk} has no child ${child} (it has ${index.slices.length})`);
    const done = await resultsWritten(aws.dynamodb, table, chunk, records.map((r) => r.seq));
    const pending = records.filter((r) => !done.has(r.seq));

    const clientId = process.env.AWS_BATCH_JOB_ID ?? `chunk-${chunk}-child-${child}`;
    // The job sets it from the run's fan-out plan; a child started by hand may take the whole budget (its fair share when others run).
    const concurrency = config.source.childConcurrency ?? config.source.maxConcurrency;
    // One politeness budget for the source over every child of the run, kept in the run table.
    budget = createSourceBudget({
      ddb: aws.dynamodb,
      table,
      clientId,
      maxConcurrency: config.source.maxConcurrency,
      ...(config.source.maxRps === undefined ? {} : { maxRps: config.source.maxRps }),
      blockSize: concurrency,
    });
    const hooks = budgetHooks(budget, { requestTimeoutMs: config.source.timeoutMs });
    const client = createTaxClient({
      baseUrl,
      timeoutMs: config.source.timeoutMs,
      retries: config.source.retries,
      concurrency,
      clientId,
      beforeRequest: hooks.beforeRequest,
      onResponse: hooks.onResponse,
    });
    const results = createResultWriter({ ddb: aws.dynamodb, table, chunk, slice: records.map((r) => r.seq) });
    const pool = new BoundedPool(concurrency);
    for (const record of pending) {
      await pool.add(async () => results.add(record, toResult(await client.lookup(record), new Date())));
    }
    await pool.drain();
    await client.close();
    const { written } = await results.close();
    await budget.close();
    console.log(JSON.stringify({ chunk, child, records: records.length, skipped: done.size, scraped: pending.length, written, maxRssKb: process.resourceUsage().maxRSS }));
  } finally {
    // A crashed child's slots go back now rather than when its lease runs out.
    await budget?.close().catch(() => undefined);
    aws.s3.destroy();
    aws.dynamodb.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(err instanceof ChildInputError ? CHILD_BAD_INPUT_EXIT : 1);
});
