import { createOperations } from './api-operations.js';
import { startApiServer } from './api-server.js';
import type { ArnContext } from './arns.js';
import { CallStats, type CallStatsView } from './call-stats.js';
import { resolveExecutorOptions, type BatchExecutorOptions } from './executor-options.js';
import { JobDefinitionRegistry } from './job-definitions.js';
import { JobQueueRegistry } from './job-queues.js';
import { JobStore } from './job-store.js';
import { Scheduler } from './scheduler.js';

export type { BatchExecutorOptions } from './executor-options.js';

export interface BatchExecutor {
  /** `http://<host>:<port>`, the `endpoint` of a BatchClient. */
  url: string;
  port: number;
  /** The calls answered so far, by operation: what GET /drover/stats serves. */
  stats(): CallStatsView;
  /** Stops the API, then every child (SIGTERM, SIGKILL after the grace period), and resolves once they have exited. */
  close(): Promise<void>;
}

/** Starts the local AWS Batch service: the API on HTTP, array children as local processes. */
export async function startBatchExecutor(options: BatchExecutorOptions = {}): Promise<BatchExecutor> {
  const o = resolveExecutorOptions(options);
  const arns: ArnContext = { region: o.region, accountId: o.accountId };
  const definitions = new JobDefinitionRegistry(arns);
  const queues = new JobQueueRegistry(arns, o.computeEnvironment);
  for (const name of o.jobQueues) queues.ensure(name);
  const store = new JobStore({ retainFinishedMs: o.retainFinishedMs });
  const scheduler = new Scheduler({
    vcpus: o.vcpus,
    workDir: o.workDir,
    logDir: o.logDir,
    baseEnv: o.env,
    killGraceMs: o.killGraceMs,
    tailLines: o.tailLines,
    echo: (line) => o.stdout.write(`${line}\n`),
    onJobFinished: (job) => store.finished(job),
  });
  const operations = createOperations({ definitions, queues, store, scheduler, arns, vcpuBudget: o.vcpus });
  const stats = new CallStats();
  const server = await startApiServer({ host: o.host, port: o.port, operations, maxBodyBytes: o.maxBodyBytes, stats });
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port,
    stats: () => stats.view(),
    close: () => {
      closing ??= (async () => {
        await Promise.all([server.close(), scheduler.shutdown('Batch executor shut down')]);
        store.close();
      })();
      return closing;
    },
  };
}
