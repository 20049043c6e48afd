import { BatchClient } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { batchClientOptions, commonClientOptions, dynamodbClientOptions, s3ClientOptions } from './aws-client-options.js';
import type { Config } from './load-config.js';

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  ses: SESClient;
  batch: BatchClient;
  /** CloudWatch Logs, where a Batch job's output is on AWS. */
  logs: CloudWatchLogsClient;
}

export function createAwsClients(config: Pick<Config, 'aws' | 'batch'>): AwsClients {
  return {
    s3: new S3Client(s3ClientOptions(config)),
    sqs: new SQSClient(commonClientOptions(config)),
    dynamodb: new DynamoDBClient(dynamodbClientOptions(config)),
    ses: new SESClient(commonClientOptions(config)),
    batch: new BatchClient(batchClientOptions(config)),
    logs: new CloudWatchLogsClient(commonClientOptions(config)),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
