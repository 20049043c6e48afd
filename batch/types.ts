import type { ChildProcess } from 'node:child_process';

/** The AWS Batch job statuses, in the order a job moves through them. */
export const JOB_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface EvaluateOnExit {
  onExitCode?: string;
  onReason?: string;
  onStatusReason?: string;
  action: 'RETRY' | 'EXIT';
}

export interface RetryStrategy {
  /** 1..10; 1 means no retry. */
  attempts: number;
  evaluateOnExit: EvaluateOnExit[];
}

export interface JobTimeout {
  attemptDurationSeconds: number;
}

/** The parts of a container job definition the executor uses; the rest of the request is echoed back. */
export interface JobDefinitionRecord {
  jobDefinitionName: string;
  jobDefinitionArn: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  type: 'container';
  parameters: Record<string, string>;
  containerProperties: Record<string, unknown> & { command: string[]; environment: KeyValuePair[] };
  /** From resourceRequirements VCPU, else containerProperties.vcpus, else 1. */
  vcpus: number;
  /** From resourceRequirements MEMORY, else containerProperties.memory; undefined for no limit. */
  memoryMiB?: number;
  retryStrategy?: RetryStrategy;
  timeout?: JobTimeout;
  tags: Record<string, string>;
  platformCapabilities: string[];
}

export interface JobQueueRecord {
  jobQueueName: string;
  jobQueueArn: string;
  state: 'ENABLED' | 'DISABLED';
  priority: number;
  computeEnvironmentOrder: Array<{ order: number; computeEnvironment: string }>;
  tags: Record<string, string>;
}

/** One run of a task's command. */
export interface AttemptRecord {
  startedAt: number;
  stoppedAt?: number;
  /** 128 + signal number when the process died of a signal; undefined when it never started. */
  exitCode?: number;
  /** Container-level reason, e.g. why the command could not start. */
  reason?: string;
  statusReason?: string;
  logFile: string;
}

/** What actually runs: an array child, or the job itself when it is not an array job. */
export interface TaskRecord {
  /** `<parentId>:<index>` for an array child, else the job id. */
  jobId: string;
  /** Array index; undefined for a non-array job. */
  index?: number;
  status: JobStatus;
  statusReason?: string;
  attempts: AttemptRecord[];
  startedAt?: number;
  stoppedAt?: number;
  /** Set by Terminate/CancelJob: no further attempt starts, and this becomes the status reason. */
  terminatedReason?: string;
  process?: ChildProcess;
}

export interface JobRecord {
  jobId: string;
  jobArn: string;
  jobName: string;
  jobQueueArn: string;
  jobQueueName: string;
  computeEnvironment: string;
  jobDefinitionArn: string;
  createdAt: number;
  /** Command after overrides and `Ref::` parameter substitution. */
  command: string[];
  /** Job definition environment merged with the overrides (overrides win). */
  environment: KeyValuePair[];
  parameters: Record<string, string>;
  vcpus: number;
  /** Each attempt's memory limit: from resourceRequirements MEMORY, else the legacy `memory` (overrides win); undefined for no limit. */
  memoryMiB?: number;
  resourceRequirements: Array<{ type: string; value: string }>;
  retryStrategy: RetryStrategy;
  timeout?: JobTimeout;
  tags: Record<string, string>;
  /** Array size; undefined for a non-array job. */
  arraySize?: number;
  tasks: TaskRecord[];
  /** Tasks not yet finished; the job is finished at 0. */
  unfinished: number;
  stoppedAt?: number;
  isCancelled: boolean;
  isTerminated: boolean;
}
