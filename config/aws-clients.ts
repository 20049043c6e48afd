import { BatchClient } from '@aws-sdk/client-batch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from './load-config.js';

// Node 20 is this project's runtime on purpose (see the README); the SDK's notice that later
// releases will want Node 22 would otherwise print in every process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  ses: SESClient;
  batch: BatchClient;
}

/**
 * The emulators accept any key, but the SDK refuses to sign without one; on real AWS the
 * default provider chain (role, profile) is used instead.
 */
function emulatorCredentials(endpoint: string | undefined) {
  if (!endpoint || process.env.AWS_ACCESS_KEY_ID) return undefined;
  return { accessKeyId: 'drover-local', secretAccessKey: 'drover-local' };
}

export function createAwsClients(config: Pick<Config, 'aws' | 'batch'>): AwsClients {
  const { region, endpoint } = config.aws;
  const common = { region, endpoint, credentials: emulatorCredentials(endpoint), maxAttempts: 8 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: Boolean(endpoint) }),
    sqs: new SQSClient(common),
    dynamodb: new DynamoDBClient({
      ...common,
      endpoint: config.aws.dynamodbEndpoint,
      credentials: emulatorCredentials(config.aws.dynamodbEndpoint),
    }),
    ses: new SESClient(common),
    batch: new BatchClient({
      ...common,
      endpoint: config.batch.endpoint,
      credentials: emulatorCredentials(config.batch.endpoint),
    }),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
