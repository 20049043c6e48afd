import { RegisterJobDefinitionCommand } from '@aws-sdk/client-batch';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';

export const QUEUE_NAME = 'drover-trigger';

async function createQueue(sqs: AwsClients['sqs'], name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/**
 * What infra/ creates on AWS, created on the emulators: the bucket and its notification to
 * the queue (with a dead-letter queue), the mail identities, and the scraper's job
 * definition. Every step may run again on a restart.
 */
export async function provision(aws: AwsClients, config: Config): Promise<{ queueUrl: string }> {
  const bucket = config.aws.bucket;
  try {
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  }
  const dlq = await createQueue(aws.sqs, `${QUEUE_NAME}-dlq`);
  const queue = await createQueue(aws.sqs, QUEUE_NAME, {
    VisibilityTimeout: '60',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '5' }),
  });
  await aws.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'drover-incoming',
            QueueArn: queue.arn,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          },
        ],
      },
    }),
  );
  for (const address of new Set([config.aws.mailFrom, config.aws.mailTo])) {
    await aws.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: address }));
  }
  await aws.batch.send(
    new RegisterJobDefinitionCommand({
      jobDefinitionName: config.batch.jobDefinition,
      type: 'container',
      containerProperties: {
        image: 'drover:local',
        command: config.batch.childCommand,
        resourceRequirements: [
          { type: 'VCPU', value: '1' },
          { type: 'MEMORY', value: '512' },
        ],
      },
      retryStrategy: { attempts: config.batch.childAttempts },
      timeout: { attemptDurationSeconds: config.batch.childTimeoutSeconds },
    }),
  );
  return { queueUrl: queue.url };
}
