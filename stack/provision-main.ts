/**
 * `node dist/stack/provision-main.js`: creates on the configured emulators what infra/
 * creates on AWS (bucket, notification, queues, mail identities, job definition), then
 * prints the trigger queue's URL. docker-compose runs it once before the trigger and worker.
 */
import { createAwsClients, destroyAwsClients } from '../config/aws-clients.js';
import { loadConfig } from '../config/load-config.js';
import { provision } from './provision.js';

const config = loadConfig();
const aws = createAwsClients(config);
try {
  const { queueUrl } = await provision(aws, config);
  console.log(queueUrl);
} finally {
  destroyAwsClients(aws);
}
