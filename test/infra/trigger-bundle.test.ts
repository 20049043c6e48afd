/**
 * The trigger Lambda's bundle, exactly as `cdk synth` stages it, handling a real S3 → SQS
 * notification from the embedded stack: it starts the run once, and a redelivery of the
 * same event starts nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runIdFor } from '../../trigger/run-id.js';
import { eventually } from '../support/eventually.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { synthesize, type Synthesized } from './synth.js';

type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const KEY = 'incoming/infra bundle test.xlsx';

/** Runs `fn` with the process environment replaced by `env` (the bundle reads it on its first call). */
async function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function toEvent(messages: Message[], region: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: (m.Attributes ?? {}) as unknown as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: m.MD5OfBody!,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:000000000000:drover-trigger`,
      awsRegion: region,
    })),
  };
}

describe('the trigger Lambda bundle', () => {
  let synth: Synthesized;
  let stack: TestStack;
  let bundle: string;

  beforeAll(async () => {
    synth = synthesize();
    bundle = join(synth.lambdaAssetDir(), 'index.mjs');
    stack = await startTestStack({ worker: false });
    // The embedded trigger would take the message first.
    await stack.services.get('trigger')!.stop();
  });

  afterAll(async () => {
    await stack?.close();
    synth?.dispose();
  });

  it('starts the run for a real upload notification, once', async () => {
    expect(existsSync(bundle)).toBe(true);
    const { bucket, queueUrl, region } = stack.config.aws;
    const put = await stack.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: 'not parsed by the trigger' }));

    const messages = await eventually('the upload notification', async () => {
      const out = await stack.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 120 }));
      const mine = (out.Messages ?? []).filter((m) => m.Body?.includes('ObjectCreated'));
      return mine.length ? mine : undefined;
    });
    const event = toEvent(messages, region);
    // The notification carries the key URL-encoded with + for a space, as S3 sends it.
    const notified = (JSON.parse(event.Records[0]!.body) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key;
    expect(decodeURIComponent(notified.replace(/\+/g, ' '))).toBe(KEY);

    const runId = runIdFor(bucket, KEY, put.ETag!);
    const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };

    const first = await withEnv({ ...stack.env, PATH: process.env.PATH }, () => handler(event));
    expect(first).toEqual({ batchItemFailures: [] });
    const started = await stack.client.workflow.getHandle(runId).describe();
    expect(started.type).toBe('creditCheck');
    expect(started.status.name).toBe('RUNNING');
    expect(started.taskQueue).toBe('drover');

    const second = await withEnv({ ...stack.env, PATH: process.env.PATH }, () => handler(event));
    expect(second).toEqual({ batchItemFailures: [] });
    const again = await stack.client.workflow.getHandle(runId).describe();
    expect(again.runId).toBe(started.runId);
    const count = await stack.client.workflow.count(`WorkflowType = 'creditCheck'`);
    expect(count.count).toBe(1);
  });
});
