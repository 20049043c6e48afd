/**
 * The local stand-in for the Lambda's SQS event source: long-polls the queue, hands each
 * batch to the very handler the Lambda runs, deletes what succeeded and leaves what failed
 * to come back after the visibility timeout.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { commonClientOptions } from '../config/aws-client-options.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfigParts } from '../config/load-config.js';
import { handler } from './lambda.js';

const config = loadConfigParts(['aws']);
const queueUrl = config.aws.queueUrl;
if (!queueUrl) throw new ConfigError('DROVER_QUEUE_URL is not set and no stack.json names the queue');
const sqs = new SQSClient(commonClientOptions(config));
const queueArn = `arn:aws:sqs:${config.aws.region}:000000000000:${queueUrl.split('/').pop()}`;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopping = true));

console.log(`trigger polling ${queueUrl}`);
while (!stopping) {
  try {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] }),
    );
    const messages = out.Messages ?? [];
    if (!messages.length) continue;
    const event: SQSEvent = {
      Records: messages.map(
        (m): SQSRecord => ({
          messageId: m.MessageId!,
          receiptHandle: m.ReceiptHandle!,
          body: m.Body ?? '',
          attributes: (m.Attributes ?? {}) as unknown as SQSRecord['attributes'],
          messageAttributes: {},
          md5OfBody: m.MD5OfBody ?? '',
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: config.aws.region,
        }),
      ),
    };
    const { batchItemFailures } = await handler(event);
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  } catch (err) {
    // The emulator or Temporal may be restarting: wait and poll again rather than exit.
    console.error(`trigger: ${String(err)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
process.exit(0);
