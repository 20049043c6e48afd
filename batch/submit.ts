import { randomUUID } from 'node:crypto';
import { batchArn, type ArnContext } from './arns.js';
import { BatchClientError } from './errors.js';
import type { JobDefinitionRegistry } from './job-definitions.js';
import type { JobQueueRegistry } from './job-queues.js';
import {
  arrayField, environmentList, intField, legacyMemory, legacyVcpus, memoryOf, objectField, requiredString,
  resourceRequirements, retryStrategyField, stringList, stringMap, timeoutField, vcpusOf, type Fields,
} from './request-fields.js';
import type { JobRecord, TaskRecord } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export interface SubmitContext {
  definitions: JobDefinitionRegistry;
  queues: JobQueueRegistry;
  arns: ArnContext;
  /** The executor's vCPU budget: a job that needs more could never start. */
  vcpuBudget: number;
}

/** Builds the job a SubmitJob request describes: definition, then overrides, then `Ref::` parameters. */
export function buildJob(body: Fields, ctx: SubmitContext): JobRecord {
  const jobName = requiredString(body, 'jobName');
  if (!NAME.test(jobName)) throw new BatchClientError(`jobName ${jobName} must be 1-128 letters, digits, hyphens or underscores`);
  const queue = ctx.queues.resolve(requiredString(body, 'jobQueue'));
  if (queue.state !== 'ENABLED') throw new BatchClientError(`Job queue ${queue.jobQueueName} is DISABLED`);
  const definition = ctx.definitions.resolveForSubmit(requiredString(body, 'jobDefinition'));
  // Running a job before the jobs it depends on would silently break its contract.
  if ((arrayField(body, 'dependsOn') ?? []).length > 0) throw new BatchClientError('dependsOn is not supported by the local executor');

  const arrayProperties = objectField(body, 'arrayProperties');
  const arraySize = arrayProperties === undefined ? undefined : intField(arrayProperties, 'size', 2, 10000, 'arrayProperties.size');

  const overrides = objectField(body, 'containerOverrides') ?? {};
  const commandOverride = stringList(overrides, 'command', 'containerOverrides.command');
  if (commandOverride !== undefined && commandOverride.length === 0) throw new BatchClientError('containerOverrides.command must not be empty');
  const environment = mergeByKey(
    definition.containerProperties.environment,
    environmentList(overrides, 'environment', 'containerOverrides.environment') ?? [],
    (e) => e.name,
  );
  const defRequirements = (definition.containerProperties['resourceRequirements'] as Array<{ type: string; value: string }> | undefined) ?? [];
  const overrideRequirements = resourceRequirements(overrides, 'resourceRequirements', 'containerOverrides.resourceRequirements');
  const requirements = mergeByKey(defRequirements, overrideRequirements ?? [], (r) => r.type);
  const vcpus = vcpusOf(overrideRequirements, legacyVcpus(overrides, 'containerOverrides')) ?? definition.vcpus;
  const memoryMiB = memoryOf(overrideRequirements, legacyMemory(overrides, 'containerOverrides')) ?? definition.memoryMiB;
  if (vcpus > ctx.vcpuBudget) {
    throw new BatchClientError(`The job needs ${vcpus} vCPUs but the executor's budget is ${ctx.vcpuBudget}: it could never start`);
  }

  const parameters = { ...definition.parameters, ...stringMap(body, 'parameters') };
  const command = (commandOverride ?? definition.containerProperties.command)
    .map((arg) => arg.replace(/Ref::([A-Za-z0-9_]+)/g, (ref, key: string) => parameters[key] ?? ref));

  const jobId = randomUUID();
  const tasks: TaskRecord[] = arraySize === undefined
    ? [{ jobId, status: 'SUBMITTED', attempts: [] }]
    : Array.from({ length: arraySize }, (_, index) => ({ jobId: `${jobId}:${index}`, index, status: 'SUBMITTED', attempts: [] }));
  const timeout = timeoutField(body, 'timeout') ?? definition.timeout;
  return {
    jobId,
    jobArn: batchArn(ctx.arns, `job/${jobId}`),
    jobName,
    jobQueueArn: queue.jobQueueArn,
    jobQueueName: queue.jobQueueName,
    computeEnvironment: ctx.queues.computeEnvironmentName(queue),
    jobDefinitionArn: definition.jobDefinitionArn,
    createdAt: Date.now(),
    command,
    environment,
    parameters,
    vcpus,
    ...(memoryMiB === undefined ? {} : { memoryMiB }),
    resourceRequirements: requirements,
    retryStrategy: retryStrategyField(body, 'retryStrategy') ?? definition.retryStrategy ?? { attempts: 1, evaluateOnExit: [] },
    ...(timeout ? { timeout } : {}),
    tags: { ...definition.tags, ...stringMap(body, 'tags') },
    ...(arraySize === undefined ? {} : { arraySize }),
    tasks,
    unfinished: tasks.length,
    isCancelled: false,
    isTerminated: false,
  };
}

/** `base` with entries of `overrides` replacing those of the same key, order kept. */
function mergeByKey<T>(base: readonly T[], overrides: readonly T[], key: (item: T) => string): T[] {
  const merged = new Map<string, T>();
  for (const item of [...base, ...overrides]) merged.set(key(item), item);
  return [...merged.values()];
}
