/**
 * One Batch job definition per job version and step, with the step's resources, registered
 * once: a process reuses it, and registering it again finds the same content and reuses it.
 */
import { createHash } from 'node:crypto';
import { DescribeJobDefinitionsCommand, RegisterJobDefinitionCommand, type RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { Step } from '../catalog/job-definition.js';
import { stepDefinitionEnvironment } from '../catalog/step-contract.js';
import type { ActivityDeps } from './deps.js';

/** Tag of a step definition: the hash of what it was registered with. */
export const CONTENT_TAG = 'drover:content';
/** Prefix of every step definition's name: IAM on AWS is scoped to it. */
export const STEP_DEFINITION_PREFIX = 'drover-step-';

export interface StepDefinitionInput {
  jobId: string;
  version: number;
  step: Step;
}

/** `drover-step-<job>-v<version>-<step>`, cut to Batch's 128 characters with a hash kept unique. */
export function stepDefinitionName({ jobId, version, step }: StepDefinitionInput): string {
  const name = `${STEP_DEFINITION_PREFIX}${jobId}-v${version}-${step.name}`;
  if (name.length <= 128) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, 115)}-${hash}`;
}

/** How long a worker trusts a job definition it found without asking Batch again, and how many it keeps. */
const KNOWN_DEFINITION_MS = 10 * 60_000;
const KNOWN_DEFINITIONS_KEPT = 1000;

/**
 * A command with no modules needs nothing the runner does (a script to fetch, a venv to ready):
 * its job runs the command itself. That spares every such step a Node process's start, about
 * 0.3 CPU-seconds, which on a busy queue is more than a short step's own work.
 */
export function runsBare(step: Pick<Step, 'command' | 'modules'>): step is Pick<Step, 'modules'> & { command: string[] } {
  return step.command !== undefined && step.modules.length === 0;
}

export function stepDefinitionActivity({ aws, config }: Pick<ActivityDeps, 'aws' | 'config'>) {
  function request(input: StepDefinitionInput): RegisterJobDefinitionCommandInput {
    const { step } = input;
    // The bucket travels too: a step may keep its work under jobs/ and its results under reports/jobs/ of it.
    const environment = Object.entries({ ...step.env, DROVER_BUCKET: config.aws.bucket, ...stepDefinitionEnvironment(step) }).map(([name, value]) => ({ name, value }));
    // On AWS the steps run on Fargate (the CDK stack sets the execution role): vCPUs and memory
    // must then be one of Fargate's pairs, and Batch says which when they are not.
    const fargate = config.batch.stepExecutionRoleArn !== undefined;
    return {
      jobDefinitionName: stepDefinitionName(input),
      type: 'container',
      containerProperties: {
        // Locally the executor runs the command as a process; on AWS the image runs it.
        ...(config.batch.stepImage ? { image: config.batch.stepImage } : {}),
        ...(config.batch.stepJobRoleArn ? { jobRoleArn: config.batch.stepJobRoleArn } : {}),
        ...(fargate ? { executionRoleArn: config.batch.stepExecutionRoleArn, networkConfiguration: { assignPublicIp: 'ENABLED' as const } } : {}),
        command: runsBare(step) ? step.command : config.batch.stepCommand,
        environment,
        resourceRequirements: [
          { type: 'VCPU', value: String(step.vcpus) },
          { type: 'MEMORY', value: String(step.memoryMiB) },
        ],
      },
      ...(fargate ? { platformCapabilities: ['FARGATE' as const] } : {}),
      retryStrategy: { attempts: step.attempts },
      timeout: { attemptDurationSeconds: step.timeoutSeconds },
      tags: { 'drover:job': input.jobId },
    };
  }

  // Definitions this worker found or registered, by content: every process of a job version asks
  // for the same ones, and Batch's answer holds while the content does (unless someone
  // deregisters it, which the entry's age bounds).
  const known = new Map<string, { arn: string; at: number }>();

  return async function ensureStepDefinition(input: StepDefinitionInput): Promise<string> {
    const wanted = request(input);
    const content = createHash('sha256').update(JSON.stringify(wanted)).digest('hex').slice(0, 32);
    const name = wanted.jobDefinitionName!;
    const cached = known.get(`${name}#${content}`);
    if (cached && Date.now() - cached.at < KNOWN_DEFINITION_MS) return cached.arn;
    const found = await aws.batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' }));
    const same = (found.jobDefinitions ?? []).filter((d) => d.tags?.[CONTENT_TAG] === content).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    const arn = same?.jobDefinitionArn ?? (await aws.batch.send(new RegisterJobDefinitionCommand({ ...wanted, tags: { ...wanted.tags, [CONTENT_TAG]: content } }))).jobDefinitionArn!;
    if (known.size >= KNOWN_DEFINITIONS_KEPT) known.clear();
    known.set(`${name}#${content}`, { arn, at: Date.now() });
    return arn;
  };
}
