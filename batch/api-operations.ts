import type { ArnContext } from './arns.js';
import { BatchClientError } from './errors.js';
import type { JobDefinitionRegistry } from './job-definitions.js';
import type { JobQueueRegistry } from './job-queues.js';
import type { JobStore } from './job-store.js';
import { jobDetail } from './job-view.js';
import { listJobs } from './list-jobs.js';
import type { Fields } from './request-fields.js';
import { requiredString, stringList } from './request-fields.js';
import type { Scheduler } from './scheduler.js';
import { buildJob } from './submit.js';
import type { JobDefinitionRecord, JobQueueRecord } from './types.js';

export interface ApiContext {
  definitions: JobDefinitionRegistry;
  queues: JobQueueRegistry;
  store: JobStore;
  scheduler: Scheduler;
  arns: ArnContext;
  vcpuBudget: number;
}

/** A Batch API operation: the parsed JSON request body in, the JSON response body out. */
export type Operation = (body: Fields) => unknown;

/** The operations the executor answers, keyed by the restJson1 path the SDK posts to. */
export function createOperations(ctx: ApiContext): ReadonlyMap<string, Operation> {
  const { definitions, queues, store, scheduler } = ctx;
  return new Map<string, Operation>([
    ['/v1/registerjobdefinition', (body) => {
      const d = definitions.register(body);
      return { jobDefinitionName: d.jobDefinitionName, jobDefinitionArn: d.jobDefinitionArn, revision: d.revision };
    }],
    ['/v1/describejobdefinitions', (body) => {
      const { jobDefinitions, nextToken } = definitions.describe(body);
      return { jobDefinitions: jobDefinitions.map(definitionView), ...(nextToken ? { nextToken } : {}) };
    }],
    ['/v1/deregisterjobdefinition', (body) => {
      definitions.deregister(body);
      return {};
    }],
    ['/v1/createjobqueue', (body) => {
      const q = queues.create(body);
      return { jobQueueName: q.jobQueueName, jobQueueArn: q.jobQueueArn };
    }],
    ['/v1/describejobqueues', (body) => {
      const { jobQueues, nextToken } = queues.describe(body);
      return { jobQueues: jobQueues.map(queueView), ...(nextToken ? { nextToken } : {}) };
    }],
    ['/v1/submitjob', (body) => {
      const job = buildJob(body, ctx);
      store.add(job);
      scheduler.add(job);
      return { jobArn: job.jobArn, jobName: job.jobName, jobId: job.jobId };
    }],
    ['/v1/describejobs', (body) => {
      const ids = stringList(body, 'jobs');
      if (ids === undefined) throw new BatchClientError('jobs is required');
      if (ids.length > 100) throw new BatchClientError(`jobs holds at most 100 ids, got ${ids.length}`);
      // Unknown ids are left out, not refused, as AWS does.
      const jobs = ids.flatMap((id) => {
        const found = store.find(id);
        return found ? [jobDetail(found.job, found.task)] : [];
      });
      return { jobs };
    }],
    ['/v1/listjobs', (body) => listJobs(body, store, queues)],
    ['/v1/terminatejob', (body) => stopJob(body, 'terminate')],
    ['/v1/canceljob', (body) => stopJob(body, 'cancel')],
  ]);

  function stopJob(body: Fields, kind: 'terminate' | 'cancel'): Record<string, never> {
    const jobId = requiredString(body, 'jobId');
    const reason = requiredString(body, 'reason');
    const found = store.find(jobId);
    if (found === undefined) throw new BatchClientError(`Job ${jobId} does not exist`);
    if (found.task === undefined) {
      if (kind === 'terminate') found.job.isTerminated = true;
      else found.job.isCancelled = true;
    }
    scheduler.terminate(found.job, reason, found.task);
    return {};
  }
}

function definitionView(d: JobDefinitionRecord): Record<string, unknown> {
  return {
    jobDefinitionName: d.jobDefinitionName,
    jobDefinitionArn: d.jobDefinitionArn,
    revision: d.revision,
    status: d.status,
    type: d.type,
    parameters: d.parameters,
    containerProperties: d.containerProperties,
    ...(d.retryStrategy ? { retryStrategy: d.retryStrategy } : {}),
    ...(d.timeout ? { timeout: d.timeout } : {}),
    tags: d.tags,
    platformCapabilities: d.platformCapabilities,
    containerOrchestrationType: 'ECS',
  };
}

function queueView(q: JobQueueRecord): Record<string, unknown> {
  return { ...q, status: 'VALID', statusReason: 'JobQueue Healthy', jobQueueType: 'ECS' };
}
