/**
 * `drover process start credit-check --param key=... [--param notify=...]`: a credit check of
 * a workbook already in the input bucket, fired by hand. It is its own run (a new run id, not
 * the one an upload of that object got), recorded as a process of the built-in job first, so
 * the ledger says who fired it.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { CREDIT_CHECK_JOB_ID } from '../catalog/built-in-jobs.js';
import type { Config } from '../config/load-config.js';
import { DroverError } from '../errors/drover-error.js';
import { getJobVersion } from '../ledger/catalog-store.js';
import type { Ledger } from '../ledger/connect.js';
import { createProcess, settleProcess } from '../ledger/process-store.js';
import { runIdFor } from '../trigger/run-id.js';
import { CREDIT_CHECK_WORKFLOW, InputFileAttribute, type CreditCheckInput } from '../workflows/definitions.js';

export class CreditCheckStartError extends DroverError<'CREDIT_CHECK_NO_INPUT'> {
  override readonly name = 'CreditCheckStartError';
}

export interface CreditCheckStart {
  client: Client;
  s3: S3Client;
  db: Ledger;
  config: Pick<Config, 'temporal' | 'aws'>;
  /** Already checked against the built-in job's parameter schema. */
  parameters: { key: string; notify?: string };
  triggeredBy: string;
}

export async function startCreditCheckProcess(o: CreditCheckStart): Promise<string> {
  const bucket = o.config.aws.bucket;
  const { key } = o.parameters;
  // The CLI prints an error's innermost cause, and S3's answer to a HEAD of nothing says nothing: this message is the whole story.
  const head = await o.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => {
    throw new CreditCheckStartError(`s3://${bucket}/${key} is not there: upload it first (drover run FILE uploads and starts a run)`, 'CREDIT_CHECK_NO_INPUT');
  });
  const processId = runIdFor(bucket, key, `${head.ETag ?? ''}\0${o.triggeredBy}\0${Date.now()}`);
  const { version } = await getJobVersion(o.db, CREDIT_CHECK_JOB_ID);
  const notify = o.parameters.notify ?? head.Metadata?.notify ?? o.config.aws.mailTo;
  await createProcess(o.db, { processId, jobId: CREDIT_CHECK_JOB_ID, version, triggeredBy: o.triggeredBy, parameters: { key, bucket, notify }, tasks: [] });
  const input: CreditCheckInput = { bucket, key, etag: head.ETag ?? '', notify };
  try {
    await o.client.workflow.start(CREDIT_CHECK_WORKFLOW, {
      workflowId: processId,
      taskQueue: o.config.temporal.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: InputFileAttribute, value: key }],
    });
  } catch (err) {
    await settleProcess(o.db, { processId, status: 'FAILED', reason: `could not start: ${(err as Error).message}` });
    throw err;
  }
  return processId;
}
