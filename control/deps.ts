import type { Client } from '@temporalio/client';
import type { AwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';
import type { Ledger } from '../ledger/connect.js';

/**
 * What acting on processes needs, from whichever front end acts: the CLI opens Temporal and
 * the AWS clients on first use, so these are functions; the API hands over the ones it made
 * at its start.
 */
export interface ControlDeps {
  db: Ledger;
  temporal: () => Client | Promise<Client>;
  /** S3 (a credit check's input), Batch (an array child's log stream) and CloudWatch Logs (a task's log on AWS). */
  aws: () => Pick<AwsClients, 's3' | 'batch' | 'logs'>;
  /** temporal: the task queue; aws: the input bucket and the default recipient; batch: the log group. */
  config: Pick<Config, 'temporal' | 'aws' | 'batch'>;
}
