import { Context } from '@temporalio/activity';
import { describePlan, planFanOut, type FanOutPlan } from '../budget/fan-out-plan.js';
import type { Config } from '../config/load-config.js';
import type { ActivityDeps } from './deps.js';

/**
 * The run's fan-out plan from the worker's settings: the source budget, the Batch queue's
 * vCPUs (a child takes 1: stack/provision.ts and infra/ register it so), the chunking, and
 * DROVER_RECORDS_PER_CHILD and TAX_SOURCE_CHILD_CONCURRENCY when they are set.
 */
export function planFromConfig(config: Config, records?: number, maxArrayJobs = config.batch.maxArrayJobs): FanOutPlan {
  return planFanOut({
    ...(records === undefined ? {} : { records }),
    chunkSize: config.batch.chunkSize,
    maxArrayJobs,
    budget: config.source.maxConcurrency,
    vcpus: config.stack.batchVcpus,
    ...(config.source.maxRps === undefined ? {} : { maxRps: config.source.maxRps }),
    childTimeoutSeconds: config.batch.childTimeoutSeconds,
    ...(config.batch.recordsPerChild === undefined ? {} : { recordsPerChild: config.batch.recordsPerChild }),
    ...(config.source.childConcurrency === undefined ? {} : { childConcurrency: config.source.childConcurrency }),
  });
}

export function planFanOutActivity({ config }: ActivityDeps) {
  /**
   * Plans the run's fan-out once, before ingest, so that every attempt of ingest and of the
   * array jobs uses the same plan (it is in the run's history). `rows` is the customer sheet's
   * row count from validation: less its header row, an upper bound of the records (title and
   * blank rows count too). `maxArrayJobs` is the run's array jobs in flight (its input's
   * maxInFlight, else DROVER_MAX_ARRAY_JOBS).
   */
  return async function planFanOut({ rows, maxArrayJobs }: { rows?: number; maxArrayJobs?: number }): Promise<FanOutPlan> {
    const plan = planFromConfig(config, rows === undefined ? undefined : Math.max(1, rows - 1), maxArrayJobs);
    Context.current().log.info(`fan-out plan: ${describePlan(plan)}`, { plan });
    return plan;
  };
}
