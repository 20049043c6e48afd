/** The deployed Lambda's entry: clients are made once per container, on the first event. */
import { Client, Connection } from '@temporalio/client';
import type { SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../config/aws-clients.js';
import { loadConfig } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { createHandler } from './handler.js';

let ready: Promise<ReturnType<typeof createHandler>> | undefined;

async function init() {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  return createHandler({ temporal, s3: createAwsClients(config).s3, config });
}

export async function handler(event: SQSEvent) {
  ready ??= init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  const { batchItemFailures } = await (await ready)(event);
  return { batchItemFailures };
}
