import { arnResource, batchArn, type ArnContext } from './arns.js';
import { BatchClientError } from './errors.js';
import { paginate } from './pagination.js';
import {
  environmentList, intField, legacyMemory, legacyVcpus, memoryOf, objectField, requiredString, resourceRequirements,
  retryStrategyField, stringField, stringList, stringMap, timeoutField, vcpusOf, type Fields,
} from './request-fields.js';
import type { JobDefinitionRecord } from './types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Job definitions by name, each with its revisions (index = revision - 1). */
export class JobDefinitionRegistry {
  readonly #byName = new Map<string, JobDefinitionRecord[]>();
  readonly #arns: ArnContext;

  constructor(arns: ArnContext) {
    this.#arns = arns;
  }

  register(body: Fields): JobDefinitionRecord {
    const name = requiredString(body, 'jobDefinitionName');
    if (!NAME.test(name)) {
      throw new BatchClientError(`jobDefinitionName ${name} must be 1-128 letters, digits, hyphens or underscores`);
    }
    const type = requiredString(body, 'type');
    if (type !== 'container') throw new BatchClientError(`type ${type} is not supported by the local executor: use container`);
    const container = objectField(body, 'containerProperties');
    if (container === undefined) throw new BatchClientError('containerProperties is required');
    const command = stringList(container, 'command', 'containerProperties.command');
    // There is no image entrypoint to fall back on: the command is the whole job.
    if (command === undefined || command.length === 0) {
      throw new BatchClientError('containerProperties.command is required by the local executor (it runs no image)');
    }
    const environment = environmentList(container, 'environment', 'containerProperties.environment') ?? [];
    const requirements = resourceRequirements(container, 'resourceRequirements', 'containerProperties.resourceRequirements');
    const vcpus = vcpusOf(requirements, legacyVcpus(container, 'containerProperties')) ?? 1;
    const memoryMiB = memoryOf(requirements, legacyMemory(container, 'containerProperties'));
    const retryStrategy = retryStrategyField(body, 'retryStrategy');
    const timeout = timeoutField(body, 'timeout');
    const revisions = this.#byName.get(name) ?? [];
    const revision = revisions.length + 1;
    const record: JobDefinitionRecord = {
      jobDefinitionName: name,
      jobDefinitionArn: batchArn(this.#arns, `job-definition/${name}:${revision}`),
      revision,
      status: 'ACTIVE',
      type: 'container',
      parameters: stringMap(body, 'parameters') ?? {},
      containerProperties: { ...container, command, environment },
      vcpus,
      ...(memoryMiB === undefined ? {} : { memoryMiB }),
      ...(retryStrategy ? { retryStrategy } : {}),
      ...(timeout ? { timeout } : {}),
      tags: stringMap(body, 'tags') ?? {},
      platformCapabilities: stringList(body, 'platformCapabilities') ?? ['EC2'],
    };
    revisions.push(record);
    this.#byName.set(name, revisions);
    return record;
  }

  /** `name` (latest active revision), `name:revision` or the ARN, as SubmitJob takes them. */
  resolveForSubmit(ref: string): JobDefinitionRecord {
    const { name, revision } = splitRef(ref);
    const revisions = this.#byName.get(name);
    if (revisions === undefined) throw new BatchClientError(`Job definition ${ref} does not exist`);
    if (revision === undefined) {
      const latest = [...revisions].reverse().find((r) => r.status === 'ACTIVE');
      if (latest === undefined) throw new BatchClientError(`Job definition ${ref} has no ACTIVE revision`);
      return latest;
    }
    const record = revisions[revision - 1];
    if (record === undefined) throw new BatchClientError(`Job definition ${ref} does not exist`);
    if (record.status !== 'ACTIVE') throw new BatchClientError(`Job definition ${ref} is INACTIVE`);
    return record;
  }

  describe(body: Fields): { jobDefinitions: JobDefinitionRecord[]; nextToken?: string } {
    const refs = stringList(body, 'jobDefinitions');
    if (refs !== undefined && refs.length > 100) throw new BatchClientError('jobDefinitions holds at most 100 entries');
    const name = stringField(body, 'jobDefinitionName');
    const status = stringField(body, 'status');
    let found: JobDefinitionRecord[];
    if (refs !== undefined && refs.length > 0) {
      found = refs.flatMap((ref) => {
        const parts = splitRef(ref);
        const revisions = this.#byName.get(parts.name) ?? [];
        if (parts.revision === undefined) return revisions;
        const one = revisions[parts.revision - 1];
        return one ? [one] : [];
      });
    } else {
      found = [...this.#byName.values()].flat();
    }
    found = found.filter((d) => (name === undefined || d.jobDefinitionName === name) && (status === undefined || d.status === status));
    const { page, nextToken } = paginate(found, intField(body, 'maxResults', 1, 100), stringField(body, 'nextToken'), 100);
    return nextToken === undefined ? { jobDefinitions: page } : { jobDefinitions: page, nextToken };
  }

  deregister(body: Fields): void {
    const ref = requiredString(body, 'jobDefinition');
    const { name, revision } = splitRef(ref);
    const record = revision === undefined ? undefined : this.#byName.get(name)?.[revision - 1];
    if (record === undefined) throw new BatchClientError(`Job definition ${ref} does not exist (give name:revision or the ARN)`);
    record.status = 'INACTIVE';
  }
}

function splitRef(ref: string): { name: string; revision?: number } {
  const plain = arnResource(ref, 'job-definition') ?? ref;
  const match = /^(.+):(\d+)$/.exec(plain);
  if (match?.[1] && match[2]) return { name: match[1], revision: Number(match[2]) };
  return { name: plain };
}
