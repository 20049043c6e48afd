/**
 * What a Batch job used, measured from DescribeJobs: the seconds every attempt of it ran, or,
 * for an array job, of every attempt of every child (`<jobId>:<i>`, described through the
 * worker's shared queue, 100 ids a call). Shared by a catalog step (run-step.ts) and a credit
 * check's chunk (run-array-job.ts), so both count a child's time the same way.
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import type { BatchDescriber } from './batch-describer.js';

export interface Measured {
  /** Seconds every attempt of every child ran. */
  seconds: number;
  /** vCPU-seconds and GiB-seconds: each child's seconds at the vCPUs and memory it ran with. */
  vcpuSeconds: number;
  gibSeconds: number;
  attempts: number;
  /** The child that failed first (the job itself when it is not an array), for the reason, exit code and log. */
  failed?: JobDetail;
  failedCount: number;
  /** Where the output of the job (or of its first child) is. */
  log?: string;
}

export function runSeconds(job: JobDetail): number {
  return (job.attempts ?? []).reduce((sum, a) => sum + (a.startedAt && a.stoppedAt ? (a.stoppedAt - a.startedAt) / 1000 : 0), 0);
}

/** The vCPUs and MiB a job ran with: its resource requirements, as AWS prefers them, else the legacy fields. */
function resourcesOf(job: JobDetail): { vcpus: number; memoryMiB: number } {
  const required = (type: string) => Number(job.container?.resourceRequirements?.find((r) => r.type === type)?.value ?? NaN);
  const vcpus = required('VCPU');
  const memoryMiB = required('MEMORY');
  return { vcpus: Number.isFinite(vcpus) ? vcpus : (job.container?.vcpus ?? 0), memoryMiB: Number.isFinite(memoryMiB) ? memoryMiB : (job.container?.memory ?? 0) };
}

/** The children of an array job by index, or the job itself when it is not one. */
async function jobsOf(describer: Pick<BatchDescriber, 'describeMany'>, job: JobDetail): Promise<JobDetail[]> {
  const size = job.arrayProperties?.size;
  if (!size) return [job];
  const children = (await describer.describeMany(Array.from({ length: size }, (_, i) => `${job.jobId}:${i}`))).filter((j): j is JobDetail => j !== undefined);
  return children.sort((a, b) => (a.arrayProperties?.index ?? 0) - (b.arrayProperties?.index ?? 0));
}

/** What an ended job used, at the vCPUs and memory each job or child says it ran with, and how it ended. */
export async function measureBatchJob(describer: Pick<BatchDescriber, 'describeMany'>, job: JobDetail): Promise<Measured> {
  const jobs = await jobsOf(describer, job);
  const failed = jobs.filter((c) => c.status === 'FAILED');
  const shown = job.arrayProperties?.size ? (failed[0] ?? jobs[0]) : job;
  let vcpuSeconds = 0;
  let gibSeconds = 0;
  for (const j of jobs) {
    const seconds = runSeconds(j);
    const { vcpus, memoryMiB } = resourcesOf(j);
    vcpuSeconds += vcpus * seconds;
    gibSeconds += (memoryMiB / 1024) * seconds;
  }
  return {
    seconds: jobs.reduce((sum, c) => sum + runSeconds(c), 0),
    vcpuSeconds,
    gibSeconds,
    attempts: Math.max(0, ...jobs.map((c) => c.attempts?.length ?? 0)),
    failed: failed[0],
    failedCount: failed.length,
    log: shown?.container?.logStreamName ?? shown?.attempts?.at(-1)?.container?.logStreamName,
  };
}
