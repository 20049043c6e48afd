import { arnResource, batchArn, type ArnContext } from './arns.js';
import { BatchClientError } from './errors.js';
import { paginate } from './pagination.js';
import { arrayField, intField, isObject, requiredString, stringField, stringList, stringMap, type Fields } from './request-fields.js';
import type { JobQueueRecord } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Job queues by name. Only the name matters locally: every queue feeds the one vCPU budget. */
export class JobQueueRegistry {
  readonly #byName = new Map<string, JobQueueRecord>();
  readonly #arns: ArnContext;
  readonly #computeEnvironment: string;

  constructor(arns: ArnContext, computeEnvironment: string) {
    this.#arns = arns;
    this.#computeEnvironment = computeEnvironment;
  }

  /** A queue configured at start: created once, silently kept when it exists. */
  ensure(name: string): JobQueueRecord {
    return this.#byName.get(name) ?? this.create({ jobQueueName: name });
  }

  create(body: Fields): JobQueueRecord {
    const name = requiredString(body, 'jobQueueName');
    if (!NAME.test(name)) throw new BatchClientError(`jobQueueName ${name} must be 1-128 letters, digits, hyphens or underscores`);
    if (this.#byName.has(name)) throw new BatchClientError(`Job queue ${name} already exists`);
    const state = stringField(body, 'state') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw new BatchClientError(`state must be ENABLED or DISABLED, got ${state}`);
    const order = (arrayField(body, 'computeEnvironmentOrder') ?? []).map((item, i) => {
      const where = `computeEnvironmentOrder[${i}]`;
      if (!isObject(item)) throw new BatchClientError(`${where} must be an object`);
      return {
        order: intField(item, 'order', 0, 2 ** 31 - 1, `${where}.order`) ?? i + 1,
        computeEnvironment: requiredString(item, 'computeEnvironment', `${where}.computeEnvironment`),
      };
    });
    const record: JobQueueRecord = {
      jobQueueName: name,
      jobQueueArn: batchArn(this.#arns, `job-queue/${name}`),
      state,
      priority: intField(body, 'priority', 0, 1000) ?? 1,
      computeEnvironmentOrder: order.length > 0
        ? order
        : [{ order: 1, computeEnvironment: batchArn(this.#arns, `compute-environment/${this.#computeEnvironment}`) }],
      tags: stringMap(body, 'tags') ?? {},
    };
    this.#byName.set(name, record);
    return record;
  }

  /** By name or ARN, as SubmitJob and ListJobs take it. */
  resolve(ref: string): JobQueueRecord {
    const record = this.#byName.get(arnResource(ref, 'job-queue') ?? ref);
    if (record === undefined) throw new BatchClientError(`Job queue ${ref} does not exist`);
    return record;
  }

  /** The compute environment's name, for AWS_BATCH_CE_NAME. */
  computeEnvironmentName(queue: JobQueueRecord): string {
    const ref = [...queue.computeEnvironmentOrder].sort((a, b) => a.order - b.order)[0]?.computeEnvironment ?? this.#computeEnvironment;
    return /compute-environment\/(.+)$/.exec(ref)?.[1] ?? ref;
  }

  describe(body: Fields): { jobQueues: JobQueueRecord[]; nextToken?: string } {
    const refs = stringList(body, 'jobQueues');
    if (refs !== undefined && refs.length > 100) throw new BatchClientError('jobQueues holds at most 100 entries');
    const all = [...this.#byName.values()];
    const found = refs === undefined || refs.length === 0
      ? all
      : all.filter((q) => refs.includes(q.jobQueueName) || refs.includes(q.jobQueueArn));
    const { page, nextToken } = paginate(found, intField(body, 'maxResults', 1, 100), stringField(body, 'nextToken'), 100);
    return nextToken === undefined ? { jobQueues: page } : { jobQueues: page, nextToken };
  }
}
