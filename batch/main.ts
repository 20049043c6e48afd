#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { startBatchExecutor } from './executor.js';

/** `node dist/batch/main.js --port N --vcpus 4 --work-dir DIR --job-queue NAME`: the local AWS Batch service. */

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${value} is not an integer`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`${value} is not a positive number`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const program = new Command()
  .name('batch-executor')
  .description('Local stand-in for AWS Batch: answers the Batch API and runs array children as local processes.')
  .option('--port <n>', 'TCP port (0 picks a free one)', integer, 4567)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--vcpus <n>', 'vCPU budget of the children running at once', positiveNumber, 4)
  .option('--work-dir <dir>', 'working directory of the children', process.cwd())
  .option('--log-dir <dir>', 'root of the child logs (default <work-dir>/.drover/batch-logs)')
  .option('--job-queue <name>', 'job queue that exists from the start (repeatable)', collect, [] as string[])
  .option('--retain-finished-ms <ms>', 'how long finished jobs stay visible', integer, 3_600_000)
  .option('--kill-grace-ms <ms>', 'time between SIGTERM and SIGKILL when a child is stopped', integer, 5000)
  .action(async (opts: {
    port: number; host: string; vcpus: number; workDir: string; logDir?: string;
    jobQueue: string[]; retainFinishedMs: number; killGraceMs: number;
  }) => {
    const executor = await startBatchExecutor({
      port: opts.port,
      host: opts.host,
      vcpus: opts.vcpus,
      workDir: opts.workDir,
      ...(opts.logDir === undefined ? {} : { logDir: opts.logDir }),
      jobQueues: opts.jobQueue,
      retainFinishedMs: opts.retainFinishedMs,
      killGraceMs: opts.killGraceMs,
      env: process.env,
      stdout: process.stdout,
    });
    console.log(`batch executor listening on ${executor.url}`);
    const shutdown = (signal: NodeJS.Signals): void => {
      console.log(`batch executor: ${signal}, stopping children`);
      executor.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    // `on`, not `once`: a second Ctrl-C must not kill the executor before its detached children.
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
