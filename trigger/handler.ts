import { HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Config } from '../config/load-config.js';
import { CREDIT_CHECK_WORKFLOW, InputFileAttribute, type CreditCheckInput } from '../workflows/definitions.js';
import { parseUploadEvents, type UploadEvent } from './parse-event.js';
import { runIdFor } from './run-id.js';

export interface TriggerDeps {
  temporal: Client;
  s3: S3Client;
  config: Pick<Config, 'temporal' | 'aws'>;
  log?: (line: Record<string, unknown>) => void;
}

export type StartOutcome = { runId: string; key: string; outcome: 'started' | 'duplicate' | 'gone' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Starts the run for one upload; a second start of the same run is a duplicate, not an error. */
export async function startRun(deps: TriggerDeps, upload: UploadEvent): Promise<StartOutcome> {
  const runId = runIdFor(upload.bucket, upload.key, upload.version);
  let notify = deps.config.aws.mailTo;
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }));
    const wanted = head.Metadata?.notify?.trim();
    if (wanted && EMAIL.test(wanted)) notify = wanted;
    else if (wanted) deps.log?.({ msg: 'ignoring notify metadata that is not an email address', key: upload.key, notify: wanted });
  } catch (err) {
    // A redelivered event for an object a finished run already moved away.
    if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return { runId, key: upload.key, outcome: 'gone' };
    throw err;
  }
  const input: CreditCheckInput = { bucket: upload.bucket, key: upload.key, etag: upload.etag, notify };
  try {
    await deps.temporal.workflow.start(CREDIT_CHECK_WORKFLOW, {
      workflowId: runId,
      taskQueue: deps.config.temporal.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: InputFileAttribute, value: upload.key }],
    });
    return { runId, key: upload.key, outcome: 'started' };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { runId, key: upload.key, outcome: 'duplicate' };
    throw err;
  }
}

/**
 * The Lambda's SQS handler. Each message succeeds or fails on its own: the failed ones are
 * reported in `batchItemFailures` and come back after the visibility timeout.
 */
export function createHandler(deps: TriggerDeps) {
  const log = deps.log ?? ((line) => console.log(JSON.stringify(line)));
  return async function handler(event: SQSEvent): Promise<SQSBatchResponse & { outcomes: StartOutcome[] }> {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    const outcomes: StartOutcome[] = [];
    for (const record of event.Records) {
      try {
        for (const upload of parseUploadEvents(record.body)) {
          const outcome = await startRun(deps, upload);
          outcomes.push(outcome);
          log({ msg: `run ${outcome.outcome}`, ...outcome });
        }
      } catch (err) {
        log({ msg: 'message failed; it will be redelivered', messageId: record.messageId, error: String(err) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures, outcomes };
  };
}
