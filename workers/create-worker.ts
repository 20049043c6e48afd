import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createAwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import type { Ledger } from '../ledger/connect.js';
import { openReadyLedger } from '../ledger/open-ready.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
/** What the build (scripts/ensure.mjs, `npm run build`) bundles WORKFLOWS_PATH into. */
export const WORKFLOW_BUNDLE_PATH = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

/** A worker for the credit check, with its own connections and AWS clients. */
export interface CreatedWorker {
  worker: Worker;
  /** Closes both connections (the worker's and its client's); call it once `worker.run()` has returned. */
  close(): Promise<void>;
}

/** A worker for the credit check. Its client (the activities' way to read a run's history) has a connection of its own. */
export async function createWorker(config: Config): Promise<CreatedWorker> {
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  let clientConnection: Connection | undefined;
  let ledger: Ledger | undefined;
  const close = async () => {
    await Promise.all([connection.close(), clientConnection?.close(), ledger?.destroy()]);
  };
  try {
    // Without a database the credit check still runs; catalog processes need it (LEDGER_UNAVAILABLE).
    if (config.database.url) ledger = await openReadyLedger(config.database.url);
    clientConnection = await Connection.connect(temporalConnectionOptions(config));
    const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    // A prebuilt bundle spares every worker start webpack's CPU and the memory it keeps.
    const bundle = config.temporal.workflowBundle ?? (existsSync(WORKFLOW_BUNDLE_PATH) ? WORKFLOW_BUNDLE_PATH : undefined);
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: WORKFLOWS_PATH }),
      activities: createActivities({ aws: createAwsClients(config), config, temporal, ...(ledger ? { ledger } : {}) }),
      // Heartbeats are how a cancel reaches a polling activity: keep that within seconds.
      maxConcurrentActivityTaskExecutions: config.temporal.workerMaxActivities,
      maxCachedWorkflows: config.temporal.workerCachedWorkflows,
      // Pollers that follow the backlog: with a fixed two on the shared (non-sticky) queue, a
      // burst of new processes waited tens of seconds for its first workflow task.
      workflowTaskPollerBehavior: { type: 'autoscaling' },
      activityTaskPollerBehavior: { type: 'autoscaling' },
      maxHeartbeatThrottleInterval: '2 seconds',
      defaultHeartbeatThrottleInterval: '2 seconds',
    });
    return { worker, close };
  } catch (error) {
    await close();
    throw error;
  }
}
