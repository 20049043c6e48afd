/**
 * Where a task's output is: the log the ledger recorded for it, or for an index N the output
 * of child N of its array job. Locally the executor writes child N beside child 0
 * (`<logDir>/<Batch job id>/<N>.log`); on AWS each child has a CloudWatch stream of its own,
 * which DescribeJobs of `<job id>:<N>` names.
 */
import { dirname, join } from 'node:path';
import { DescribeJobsCommand, type BatchClient } from '@aws-sdk/client-batch';
import { errorWithCode } from '../errors/drover-error.js';
import type { ProcessView, TaskView } from '../ledger/process-store.js';
import { isLocalLog } from '../storage/task-log.js';

/** A task name the process does not have. */
export class TaskNotFoundError extends errorWithCode('TaskNotFoundError', 'TASK_NOT_FOUND') {}

/** An array child the task does not have, or an index of a task that is no array. */
export class TaskIndexError extends errorWithCode('TaskIndexError', 'TASK_INDEX_INVALID') {}

/** A task with no log to show: it has not started, or ended without one. */
export class TaskLogError extends errorWithCode('TaskLogError', 'TASK_LOG_NONE') {}

export function taskOf(p: Pick<ProcessView, 'processId' | 'tasks'>, name: string): TaskView {
  const task = p.tasks?.find((t) => t.name === name);
  if (!task) throw new TaskNotFoundError(`${p.processId} has no task ${name} (its tasks: ${(p.tasks ?? []).map((t) => t.name).join(', ')})`);
  return task;
}

/** Refuses an index the task does not have; `option` is what the caller calls the index (`--index`, `index`). */
export function checkIndex(task: TaskView, index: number | undefined, option: string): void {
  if (index === undefined) return;
  if (!task.arraySize) throw new TaskIndexError(`task ${task.name} is not an array task: ${option} is for a task with arraySize`);
  if (index >= task.arraySize) throw new TaskIndexError(`${option} ${index}: task ${task.name} has children 0 to ${task.arraySize - 1}`);
}

/** The task's log, or undefined while there is none yet (the task has not started). */
export async function taskLogRef(task: TaskView, index: number | undefined, batch: () => BatchClient): Promise<string | undefined> {
  if (index === undefined) return task.log ?? undefined;
  if (task.log && isLocalLog(task.log)) return join(dirname(task.log), `${index}.log`);
  if (!task.batchJobId) return undefined;
  const out = await batch().send(new DescribeJobsCommand({ jobs: [`${task.batchJobId}:${index}`] }));
  const child = out.jobs?.[0];
  return child?.container?.logStreamName ?? child?.attempts?.at(-1)?.container?.logStreamName ?? undefined;
}

export const isOpenTask = (t: Pick<TaskView, 'status'>): boolean => t.status === 'PENDING' || t.status === 'RUNNING';
