/**
 * What every activity of a worker process shares to keep within AWS Batch's account-wide API
 * limits: one DescribeJobs queue (batch-describer.ts) and one pace for SubmitJob. Made once per
 * worker by createActivities (index.ts) and handed to the activities in their deps.
 */
import type { BatchClient } from '@aws-sdk/client-batch';
import { RateWindow } from '../concurrency/rate-window.js';
import type { Config } from '../config/load-config.js';
import { createBatchDescriber, type BatchDescriber } from './batch-describer.js';

export interface BatchCalls {
  describer: BatchDescriber;
  /** SubmitJob: at most DROVER_BATCH_SUBMIT_PER_SECOND in any second; reserve a slot, wait, then submit. */
  submits: RateWindow;
}

interface BatchCallsDeps {
  aws: { batch: Pick<BatchClient, 'send'> };
  config: Pick<Config, 'batch'>;
  batchCalls?: BatchCalls;
}

export function createBatchCalls({ aws, config }: BatchCallsDeps): BatchCalls {
  return {
    describer: createBatchDescriber({ batch: aws.batch, perSecond: config.batch.describePerSecond }),
    submits: new RateWindow(config.batch.submitPerSecond),
  };
}

/** The ones made for this Batch client, so activities built outside createActivities (tests) still share one queue. */
const byClient = new WeakMap<object, BatchCalls>();

/** The deps' shared Batch calls, or the ones of their Batch client. */
export function batchCalls(deps: BatchCallsDeps): BatchCalls {
  if (deps.batchCalls) return deps.batchCalls;
  // Activities made without a Batch client (tests of other activities) never call Batch: nothing to share.
  if (typeof deps.aws.batch !== 'object' || deps.aws.batch === null) return createBatchCalls(deps);
  let calls = byClient.get(deps.aws.batch);
  if (!calls) {
    calls = createBatchCalls(deps);
    byClient.set(deps.aws.batch, calls);
  }
  return calls;
}
