import { JOB_STATUSES, type JobRecord, type JobStatus, type TaskRecord } from './types.js';

/**
 * Renders jobs as the Batch API's JobDetail and JobSummary shapes. An array parent has
 * no state of its own: its status and times are derived from its children every time.
 */

const DONE: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED']);
const STARTED: ReadonlySet<JobStatus> = new Set(['STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED']);

export function isDone(status: JobStatus): boolean {
  return DONE.has(status);
}

export function statusSummary(job: JobRecord): Record<JobStatus, number> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const task of job.tasks) counts[task.status] += 1;
  return counts;
}

/** A non-array job is its one task; an array parent runs once any child has started. */
export function jobStatus(job: JobRecord): JobStatus {
  if (job.arraySize === undefined) return job.tasks[0]?.status ?? 'SUBMITTED';
  if (job.unfinished === 0) return job.tasks.some((t) => t.status === 'FAILED') ? 'FAILED' : 'SUCCEEDED';
  if (job.tasks.some((t) => STARTED.has(t.status))) return 'RUNNING';
  return job.tasks.find((t) => !isDone(t.status))?.status ?? 'SUBMITTED';
}

function parentStatusReason(job: JobRecord, status: JobStatus): string | undefined {
  if (status !== 'FAILED') return undefined;
  const reason = job.tasks.find((t) => t.terminatedReason !== undefined)?.terminatedReason;
  if ((job.isTerminated || job.isCancelled) && reason !== undefined) return reason;
  const failed = job.tasks.filter((t) => t.status === 'FAILED').length;
  return `${failed} of ${job.tasks.length} child jobs failed`;
}

function parentStartedAt(job: JobRecord): number | undefined {
  let first: number | undefined;
  for (const task of job.tasks) {
    const started = task.attempts[0]?.startedAt ?? task.startedAt;
    if (started !== undefined && (first === undefined || started < first)) first = started;
  }
  return first;
}

/** Fields shared by both shapes, for the job itself (`task` undefined) or one array child. */
function identity(job: JobRecord, task: TaskRecord | undefined) {
  if (task === undefined || job.arraySize === undefined) {
    const status = jobStatus(job);
    const single = job.arraySize === undefined ? job.tasks[0] : undefined;
    return {
      jobArn: job.jobArn,
      jobId: job.jobId,
      status,
      statusReason: single ? single.statusReason : parentStatusReason(job, status),
      startedAt: single ? single.startedAt : parentStartedAt(job),
      stoppedAt: single ? single.stoppedAt : job.stoppedAt,
    };
  }
  return {
    jobArn: `${job.jobArn}:${task.index}`,
    jobId: task.jobId,
    status: task.status,
    statusReason: task.statusReason,
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
  };
}

export function jobDetail(job: JobRecord, task?: TaskRecord): Record<string, unknown> {
  const own = task ?? (job.arraySize === undefined ? job.tasks[0] : undefined);
  const lastAttempt = own?.attempts.at(-1);
  return {
    jobName: job.jobName,
    ...identity(job, task),
    jobQueue: job.jobQueueArn,
    jobDefinition: job.jobDefinitionArn,
    createdAt: job.createdAt,
    attempts: (own?.attempts ?? []).map((a) => ({
      container: { exitCode: a.exitCode, reason: a.reason, logStreamName: a.logFile },
      startedAt: a.startedAt,
      stoppedAt: a.stoppedAt,
      statusReason: a.statusReason,
    })),
    dependsOn: [],
    parameters: job.parameters,
    retryStrategy: job.retryStrategy,
    ...(job.timeout ? { timeout: job.timeout } : {}),
    container: {
      command: job.command,
      environment: job.environment,
      vcpus: job.vcpus,
      memory: job.memoryMiB,
      resourceRequirements: job.resourceRequirements,
      exitCode: lastAttempt?.exitCode,
      reason: lastAttempt?.reason,
      logStreamName: lastAttempt?.logFile,
    },
    arrayProperties: arrayProperties(job, task),
    tags: job.tags,
    propagateTags: false,
    platformCapabilities: ['EC2'],
    isCancelled: job.isCancelled,
    isTerminated: job.isTerminated,
  };
}

export function jobSummary(job: JobRecord, task?: TaskRecord): Record<string, unknown> {
  const own = task ?? (job.arraySize === undefined ? job.tasks[0] : undefined);
  const lastAttempt = own?.attempts.at(-1);
  return {
    jobName: job.jobName,
    ...identity(job, task),
    createdAt: job.createdAt,
    jobDefinition: job.jobDefinitionArn,
    container: { exitCode: lastAttempt?.exitCode, reason: lastAttempt?.reason },
    arrayProperties: arrayProperties(job, task),
    isCancelled: job.isCancelled,
    isTerminated: job.isTerminated,
  };
}

function arrayProperties(job: JobRecord, task: TaskRecord | undefined): Record<string, unknown> | undefined {
  if (job.arraySize === undefined) return undefined;
  if (task !== undefined) return { index: task.index };
  return { size: job.arraySize, statusSummary: statusSummary(job), statusSummaryLastUpdatedAt: Date.now() };
}
