/**
 * Where a task's output is: the log the ledger recorded for it, or for `--index N` the output
 * of child N of its array job. Locally the executor writes child N beside child 0
 * (`<logDir>/<Batch job id>/<N>.log`); on AWS each child has a CloudWatch stream of its own,
 * which DescribeJobs of `<job id>:<N>` names.
 */
import { dirname, join } from 'node:path';
import { DescribeJobsCommand, type BatchClient } from '@aws-sdk/client-batch';
import type { TaskView } from '../ledger/process-store.js';
import { isLocalLog } from '../storage/task-log.js';
import { CliInputError } from './bad-input.js';

/** Refuses an --index the task does not have. */
export function checkIndex(task: TaskView, index: number | undefined): void {
  if (index === undefined) return;
  if (!task.arraySize) throw new CliInputError(`task ${task.name} is not an array task: --index is for a task with arraySize`);
  if (index >= task.arraySize) throw new CliInputError(`--index ${index}: task ${task.name} has children 0 to ${task.arraySize - 1}`);
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
