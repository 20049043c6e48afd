/** `npm run worker`: one Temporal worker against the configured Temporal, local or remote. */
import { loadConfig } from '../config/load-config.js';
import { createWorker } from './create-worker.js';

const config = loadConfig();
const { worker, close } = await createWorker(config);
console.log(`worker polling ${config.temporal.address} namespace=${config.temporal.namespace} taskQueue=${config.temporal.taskQueue}`);
try {
  // run() returns after SIGINT/SIGTERM once in-flight tasks are handed back.
  await worker.run();
} finally {
  await close();
}
