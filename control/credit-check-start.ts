/**
 * A credit check of a workbook already in the input bucket, fired by hand (`drover process
 * start credit-check`, `POST /v1/processes`). It is its own run (a new run id, not the one an
 * upload of that object got), recorded as a process of the built-in job first, so the ledger
 * says who fired it.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CREDIT_CHECK_JOB_ID } from '../catalog/built-in-jobs.js';
import { CREDIT_CHECK_WORKFLOW, type CreditCheckInput } from '../contracts/credit-check.js';
import { runIdFor } from '../contracts/run-id.js';
import { InputFileAttribute } from '../contracts/search-attributes.js';
import { DroverError } from '../errors/drover-error.js';
import { rootMessage } from '../errors/root-message.js';
import { getJobVersion } from '../ledger/catalog-store.js';
import { createProcess, settleProcess } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';

export class CreditCheckStartError extends DroverError<'CREDIT_CHECK_NO_INPUT'> {
  override readonly name = 'CreditCheckStartError';
}

export interface CreditCheckStart {
  /** Already checked against the built-in job's parameter schema. */
  parameters: { key: string; notify?: string };
  triggeredBy: string;
  /** The id to give it (an idempotent firing chose it before); else a new one. */
  processId?: string;
}

/** Starts the credit check as a process; returns its id, its workflow's id. */
export async function startCreditCheck(deps: ControlDeps, o: CreditCheckStart): Promise<string> {
  const bucket = deps.config.aws.bucket;
  const { key } = o.parameters;
  // The CLI prints an error's innermost cause, and S3's answer to a HEAD of nothing says nothing: this message is the whole story.
  const head = await deps
    .aws()
    .s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .catch(() => {
      throw new CreditCheckStartError(`s3://${bucket}/${key} is not there: upload it first (drover run FILE uploads and starts a run)`, 'CREDIT_CHECK_NO_INPUT');
    });
  const processId = o.processId ?? runIdFor(bucket, key, `${head.ETag ?? ''}\0${o.triggeredBy}\0${Date.now()}`);
  const { version } = await getJobVersion(deps.db, CREDIT_CHECK_JOB_ID);
  const notify = o.parameters.notify ?? head.Metadata?.notify ?? deps.config.aws.mailTo;
  await createProcess(deps.db, { processId, jobId: CREDIT_CHECK_JOB_ID, version, triggeredBy: o.triggeredBy, parameters: { key, bucket, notify }, tasks: [] });
  const input: CreditCheckInput = { bucket, key, etag: head.ETag ?? '', notify };
  try {
    await (await deps.temporal()).workflow.start(CREDIT_CHECK_WORKFLOW, {
      workflowId: processId,
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: InputFileAttribute, value: key }],
    });
  } catch (err) {
    // Already there: this firing was sent twice with one id, and the first started it.
    if (err instanceof WorkflowExecutionAlreadyStartedError && o.processId) return processId;
    await settleProcess(deps.db, { processId, status: 'FAILED', reason: `could not start: ${rootMessage(err)}` });
    throw err;
  }
  return processId;
}
