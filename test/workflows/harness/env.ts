/** The pinned dev server and a Worker that runs the harness workflows (harness/workflows.ts) with the test's stub activities. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../../contracts/search-attributes.js';
import { freePort } from '../../../stack/free-port.js';
import type { HarnessActivities } from './workflows.js';

export interface Harness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startHarness(taskQueue: string, activities: Partial<HarnessActivities>): Promise<Harness> {
  const port = await freePort();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: join(process.cwd(), '.venv', 'bin', 'temporal') },
      ip: '127.0.0.1',
      port,
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
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
