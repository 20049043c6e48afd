import type { JobRecord, TaskRecord } from './types.js';

export interface JobStoreOptions {
  /** How long a finished job stays visible to DescribeJobs and ListJobs, in ms. */
  retainFinishedMs: number;
}

/** Jobs in memory, in submission order (Map order), each forgotten some time after it finishes. */
export class JobStore {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #expiry = new Set<NodeJS.Timeout>();
  readonly #retainFinishedMs: number;

  constructor(options: JobStoreOptions) {
    this.#retainFinishedMs = options.retainFinishedMs;
  }

  add(job: JobRecord): void {
    this.#jobs.set(job.jobId, job);
  }

  /** A job id, or an array child's `<parentId>:<index>`. */
  find(id: string): { job: JobRecord; task?: TaskRecord } | undefined {
    const job = this.#jobs.get(id);
    if (job !== undefined) return { job };
    const match = /^(.+):(\d+)$/.exec(id);
    if (!match?.[1] || !match[2]) return undefined;
    const parent = this.#jobs.get(match[1]);
    const task = parent?.arraySize === undefined ? undefined : parent.tasks[Number(match[2])];
    return parent && task ? { job: parent, task } : undefined;
  }

  all(): IterableIterator<JobRecord> {
    return this.#jobs.values();
  }

  /** Starts the retention clock of a job that just finished. */
  finished(job: JobRecord): void {
    const timer = setTimeout(() => {
      this.#expiry.delete(timer);
      this.#jobs.delete(job.jobId);
    }, this.#retainFinishedMs);
    // Retention must not keep the process alive on its own.
    timer.unref();
    this.#expiry.add(timer);
  }

  close(): void {
    for (const timer of this.#expiry) clearTimeout(timer);
    this.#expiry.clear();
  }
}
