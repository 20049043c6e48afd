import { join } from 'node:path';
import { runAttempt, type AttemptOutcome, type RunningAttempt } from './child-runner.js';
import { isDone } from './job-view.js';
import { readLogTail } from './log-tail.js';
import { MemoryWatch } from './memory-watch.js';
import { shouldRetry } from './retry-rules.js';
import type { AttemptRecord, JobRecord, TaskRecord } from './types.js';

export const TIMEOUT_REASON = 'Job attempt duration exceeded timeout';
export const EXITED_REASON = 'Essential container in task exited';
export const CANNOT_START_REASON = 'CannotStartContainerError';
/** The container reason Batch (through ECS) gives a container killed for passing its memory; the status reason stays EXITED_REASON. */
export const OUT_OF_MEMORY_REASON = 'OutOfMemoryError: Container killed due to memory usage';

export interface SchedulerOptions {
  /** vCPU budget shared by all running tasks. */
  vcpus: number;
  /** Working directory of every task. */
  workDir: string;
  /** Logs go to `<logDir>/<jobId>/<index>.log` (`job.log` for a non-array job). */
  logDir: string;
  /** Environment every task starts from. */
  baseEnv: Record<string, string | undefined>;
  /** Time between SIGTERM and SIGKILL when an attempt is stopped. */
  killGraceMs: number;
  /** Log lines echoed when an attempt fails. */
  tailLines: number;
  /** Receives the echoed lines of failed attempts, one line per call. */
  echo: (line: string) => void;
  /** Called once, when the last task of a job is done. */
  onJobFinished: (job: JobRecord) => void;
}

interface QueueEntry {
  job: JobRecord;
  seq: number;
  /** Tasks below this index are not RUNNABLE; a retry moves it back. */
  cursor: number;
}

/**
 * Starts RUNNABLE tasks in FIFO order (jobs in submission order, children in index
 * order) while the vCPU budget allows. Strict FIFO: when the task at the head does not
 * fit, nothing behind it starts, so a wide job cannot be starved by narrow ones.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  /** Jobs that have RUNNABLE tasks, in submission order. */
  readonly #queue: QueueEntry[] = [];
  readonly #entries = new Map<JobRecord, QueueEntry>();
  readonly #running = new Map<TaskRecord, RunningAttempt>();
  readonly #memoryWatch = new MemoryWatch();
  #seq = 0;
  #usedVcpus = 0;
  #closing = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Takes a new job through SUBMITTED -> PENDING -> RUNNABLE, then schedules it. */
  add(job: JobRecord): void {
    const entry: QueueEntry = { job, seq: this.#seq++, cursor: 0 };
    this.#entries.set(job, entry);
    const advance = (from: 'SUBMITTED' | 'PENDING', to: 'PENDING' | 'RUNNABLE'): void => {
      for (const task of job.tasks) if (task.status === from) task.status = to;
    };
    setImmediate(() => {
      advance('SUBMITTED', 'PENDING');
      setImmediate(() => {
        advance('PENDING', 'RUNNABLE');
        if (job.unfinished > 0) this.#enqueue(entry);
        this.#pump();
      });
    });
  }

  /**
   * Terminate/CancelJob: tasks not started fail at once with `reason`; running ones are
   * stopped and fail with `reason` when their process has exited. None is retried.
   */
  terminate(job: JobRecord, reason: string, only?: TaskRecord): void {
    for (const task of only ? [only] : job.tasks) {
      if (isDone(task.status) || task.terminatedReason !== undefined) continue;
      task.terminatedReason = reason;
      const running = this.#running.get(task);
      if (running) {
        running.stop();
      } else {
        task.status = 'FAILED';
        task.statusReason = reason;
        task.stoppedAt = Date.now();
        this.#taskDone(job);
      }
    }
  }

  /** Stops every task and resolves once all their processes have exited. */
  async shutdown(reason: string): Promise<void> {
    this.#closing = true;
    const waits = [...this.#running.values()].map((r) => r.done);
    for (const entry of this.#entries.values()) this.terminate(entry.job, reason);
    await Promise.all(waits);
  }

  #enqueue(entry: QueueEntry): void {
    if (this.#queue.includes(entry)) return;
    const at = this.#queue.findIndex((e) => e.seq > entry.seq);
    if (at === -1) this.#queue.push(entry);
    else this.#queue.splice(at, 0, entry);
  }

  #pump(): void {
    if (this.#closing) return;
    // Strict FIFO: only the head job can start a task; it leaves the queue once it has no RUNNABLE task left.
    for (let entry = this.#queue[0]; entry !== undefined; entry = this.#queue[0]) {
      const { tasks } = entry.job;
      while (entry.cursor < tasks.length && tasks[entry.cursor]!.status !== 'RUNNABLE') entry.cursor += 1;
      const task = tasks[entry.cursor];
      if (task === undefined) {
        this.#queue.shift();
        continue;
      }
      if (this.#usedVcpus + entry.job.vcpus > this.#options.vcpus) return;
      this.#start(entry, task);
    }
  }

  #start(entry: QueueEntry, task: TaskRecord): void {
    const { job } = entry;
    const o = this.#options;
    task.status = 'STARTING';
    this.#usedVcpus += job.vcpus;
    const attempt = task.attempts.length + 1;
    const logFile = join(o.logDir, job.jobId, task.index === undefined ? 'job.log' : `${task.index}.log`);
    const env: Record<string, string | undefined> = { ...o.baseEnv };
    for (const { name, value } of job.environment) env[name] = value;
    env['AWS_BATCH_JOB_ID'] = task.jobId;
    if (task.index !== undefined) env['AWS_BATCH_JOB_ARRAY_INDEX'] = String(task.index);
    env['AWS_BATCH_JOB_ATTEMPT'] = String(attempt);
    env['AWS_BATCH_JQ_NAME'] = job.jobQueueName;
    env['AWS_BATCH_CE_NAME'] = job.computeEnvironment;
    const requestedAt = Date.now();
    let running: RunningAttempt;
    try {
      running = runAttempt({
        command: job.command,
        cwd: o.workDir,
        env,
        logFile,
        label: `${task.jobId} attempt ${attempt}`,
        killGraceMs: o.killGraceMs,
        ...(job.timeout ? { timeoutMs: job.timeout.attemptDurationSeconds * 1000 } : {}),
        // Each attempt (each array child) has the whole limit to itself, as each runs in its own container.
        ...(job.memoryMiB === undefined ? {} : { memoryLimit: { bytes: job.memoryMiB * 1024 * 1024, watch: this.#memoryWatch } }),
        onStarted: () => {
          task.status = 'RUNNING';
          task.startedAt = Date.now();
        },
      });
    } catch (error) {
      // The log file could not be opened: the attempt fails like a container that cannot start.
      const message = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => this.#finishAttempt(entry, task, { startError: message, timedOut: false, outOfMemory: false, logOffset: 0 }, requestedAt, logFile));
      return;
    }
    this.#running.set(task, running);
    // A terminate that arrived while STARTING has no process to stop yet: stop it now.
    if (task.terminatedReason !== undefined) running.stop();
    void running.done.then((outcome) => this.#finishAttempt(entry, task, outcome, requestedAt, logFile));
  }

  #finishAttempt(entry: QueueEntry, task: TaskRecord, outcome: AttemptOutcome, requestedAt: number, logFile: string): void {
    const { job } = entry;
    this.#running.delete(task);
    this.#usedVcpus -= job.vcpus;
    const now = Date.now();
    const record: AttemptRecord = {
      startedAt: task.status === 'RUNNING' ? (task.startedAt ?? requestedAt) : requestedAt,
      stoppedAt: now,
      logFile,
      statusReason: task.terminatedReason
        ?? (outcome.timedOut ? TIMEOUT_REASON : outcome.startError !== undefined ? CANNOT_START_REASON : EXITED_REASON),
    };
    if (outcome.exitCode !== undefined) record.exitCode = outcome.exitCode;
    if (outcome.startError !== undefined) record.reason = `${CANNOT_START_REASON}: ${outcome.startError}`;
    if (outcome.outOfMemory) record.reason = OUT_OF_MEMORY_REASON;
    task.attempts.push(record);
    task.statusReason = record.statusReason;
    const succeeded = outcome.exitCode === 0 && !outcome.timedOut && task.terminatedReason === undefined;
    if (succeeded) {
      task.status = 'SUCCEEDED';
      task.stoppedAt = now;
      this.#taskDone(job);
    } else {
      this.#echoFailure(task, record, outcome.logOffset);
      // Batch does not retry an attempt it stopped for running past its timeout, whatever the retry strategy says.
      const retryable = task.terminatedReason === undefined && !outcome.timedOut && !this.#closing;
      if (retryable && shouldRetry(job.retryStrategy, task.attempts.length, record)) {
        task.status = 'RUNNABLE';
        if (task.index !== undefined) entry.cursor = Math.min(entry.cursor, task.index);
        else entry.cursor = 0;
        this.#enqueue(entry);
      } else {
        task.status = 'FAILED';
        task.stoppedAt = now;
        this.#taskDone(job);
      }
    }
    this.#pump();
  }

  #echoFailure(task: TaskRecord, attempt: AttemptRecord, logOffset: number): void {
    const { echo, tailLines } = this.#options;
    const prefix = `[${task.jobId}]`;
    const exit = attempt.exitCode === undefined
      ? attempt.reason ?? 'did not start'
      : `exit code ${attempt.exitCode}${attempt.reason === undefined ? '' : `, ${attempt.reason}`}`;
    echo(`${prefix} attempt ${task.attempts.length} failed (${exit}): ${attempt.statusReason}; log ${attempt.logFile}`);
    for (const line of readLogTail(attempt.logFile, logOffset, tailLines)) echo(`${prefix} ${line}`);
  }

  #taskDone(job: JobRecord): void {
    job.unfinished -= 1;
    if (job.unfinished > 0) return;
    job.stoppedAt = Date.now();
    this.#entries.delete(job);
    this.#options.onJobFinished(job);
  }
}
