/** The pinned dev server and a Worker that runs the harness workflows (harness/workflows.ts) with the test's stub activities. */
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startDevServer } from '../../support/dev-server.js';
import type { HarnessActivities } from './workflows.js';

export interface Harness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startHarness(taskQueue: string, activities: Partial<HarnessActivities>): Promise<Harness> {
  const { env } = await startDevServer();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    activities,
  });
  const running = worker.run();
  return {
    env,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
