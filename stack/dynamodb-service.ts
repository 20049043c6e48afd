/**
 * The embedded stack's DynamoDB: dynalite, a Node implementation of the DynamoDB API, in
 * memory. moto serves S3, SQS and SES, but its DynamoDB costs about 8 ms of one Python
 * thread per write (bench/results.md), which made the emulator the run's bottleneck;
 * dynalite answers the same SDK calls several times faster and queries 30 times faster.
 */
import { createRequire } from 'node:module';
import { tcpProbe } from './probes.js';
import type { ServiceSpec } from './service.js';

/** A run's table and results live in this process's heap: a 1,000,000-record run needs a few GB. */
const HEAP_MB = 8192;

export function dynamodbService(root: string, port: number, env: NodeJS.ProcessEnv): ServiceSpec {
  const cli = createRequire(`${root}/package.json`).resolve('dynalite/cli.js');
  return {
    name: 'dynamodb',
    command: process.execPath,
    // Tables are ACTIVE at once, as a fresh on-demand table soon is on AWS; the waiters still run.
    args: [`--max-old-space-size=${HEAP_MB}`, cli, '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'],
    env,
    cwd: root,
    probe: tcpProbe(port),
  };
}
