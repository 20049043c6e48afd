/** `npm start`: the embedded stack in the foreground, until Ctrl-C or SIGTERM. */
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { startStack } from './stack.js';

const program = new Command('drover-stack')
  .description('Start the embedded stack: Temporal, the AWS emulators, the Batch executor, the demo portal, PostgreSQL, the trigger, a worker and the REST API')
  .option('--no-worker', 'do not start a Temporal worker (run `npm run worker` yourself)')
  .parse();

const root = fileURLToPath(new URL('../..', import.meta.url));
const stack = await startStack({ root, worker: program.opts<{ worker: boolean }>().worker });
const { file } = stack;
console.log(`temporal   ${file.temporal.address} (namespace ${file.temporal.namespace})`);
console.log(`web ui     ${file.temporal.ui}`);
console.log(`aws        ${file.aws.endpoint} (S3, SQS, SES; bucket ${file.aws.bucket})`);
console.log(`dynamodb   ${file.aws.dynamodbEndpoint}`);
console.log(`batch      ${file.batch.endpoint} (queue ${file.batch.jobQueue})`);
console.log(`portal     ${file.portal.url}`);
console.log(`database   ${withoutPassword(file.database!.url)} (full URL: database.url in ${stack.config.stack.home}/stack.json)`);
console.log(`api        ${file.api!.url} (docs ${file.api!.url}/docs; an admin key: api.key in ${stack.config.stack.home}/stack.json)`);
console.log(`logs       ${stack.config.stack.home}/logs`);
console.log('drover stack ready: upload to s3://' + file.aws.bucket + '/incoming/ or run `npx drover run FILE`');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the stack`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/** The URL as printed: the password stays in stack.json, out of terminal scrollback and CI logs. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}
