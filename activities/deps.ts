import type { Client } from '@temporalio/client';
import type { AwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';
import type { Ledger } from '../ledger/connect.js';
import type { BatchCalls } from './batch-calls.js';

/** What activities are given instead of reaching for globals, so tests pass real local clients. */
export interface ActivityDeps {
  aws: Pick<AwsClients, 's3' | 'dynamodb' | 'ses' | 'batch'> & Partial<Pick<AwsClients, 'logs'>>;
  config: Config;
  /** Temporal, for the sweeper to tell closed runs from running ones. */
  temporal?: Client;
  /** The catalog and ledger (PostgreSQL); catalog jobs need it, a credit check records its process there when it is given. */
  ledger?: Ledger;
  /** DescribeJobs and SubmitJob shared by every activity of the worker (batch-calls.ts); made by createActivities when not given. */
  batchCalls?: BatchCalls;
  /** Directory for downloads and reports in progress (default the OS temp dir). */
  tmpDir?: string;
}
