/** The deployed Lambda's entry: clients are made once per container, on the first event. */
import { Client, Connection } from '@temporalio/client';
import type { SQSEvent } from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { s3ClientOptions } from '../config/aws-client-options.js';
import { loadConfigParts } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { createHandler } from './handler.js';

let ready: Promise<ReturnType<typeof createHandler>> | undefined;

async function init() {
  // The trigger reads only what it needs to start a run: Temporal, and S3 for the upload's metadata.
  const config = loadConfigParts(['temporal', 'aws']);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  return createHandler({ temporal, s3: new S3Client(s3ClientOptions(config)), config });
}

export async function handler(event: SQSEvent) {
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const { batchItemFailures } = await (await ready)(event);
  return { batchItemFailures };
}
