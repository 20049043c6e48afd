/** A task's output as text: `GET /v1/processes/{id}/tasks/{task}/log` (the CLI's `task log` prints it as it reads). */
import { readLogFrom, restOfFile, startCursor, type TaskLogSource } from '../storage/task-log.js';
import type { ControlDeps } from './deps.js';
import { currentProcess } from './process-settle.js';
import { checkIndex, isOpenTask, TaskLogError, taskLogRef, taskOf } from './task-log-ref.js';

export interface TaskLogRequest {
  /** Child N of an array task. */
  index?: number;
  /** Only the last N lines. */
  tail?: number;
}

/** The log's lines, each ended by a newline; TaskNotFoundError, TaskIndexError or TaskLogError when there is none to give. */
export async function taskLogText(deps: ControlDeps, processId: string, name: string, request: TaskLogRequest = {}): Promise<string> {
  const task = taskOf(await currentProcess(deps, processId), name);
  checkIndex(task, request.index, 'index');
  const ref = await taskLogRef(task, request.index, () => deps.aws().batch);
  if (!ref) throw new TaskLogError(`task ${name} of ${processId} has no log: it is ${task.status}${isOpenTask(task) ? ' and has not started yet' : ''}`);
  const source: TaskLogSource = { logs: deps.aws().logs, logGroup: deps.config.batch.logGroup };
  const keep = request.tail ?? Number.POSITIVE_INFINITY;
  const lines: string[] = [];
  const add = (more: readonly string[]) => {
    lines.push(...more);
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  };
  let cursor = startCursor(ref);
  for (;;) {
    const chunk = await readLogFrom(source, ref, cursor);
    add(chunk.lines);
    const moved = JSON.stringify(chunk.cursor) !== JSON.stringify(cursor);
    cursor = chunk.cursor;
    if (!moved || chunk.lines.length === 0) break;
  }
  if (!isOpenTask(task) && cursor.kind === 'file') {
    const rest = restOfFile(ref, cursor.offset);
    if (rest) add([rest]);
  }
  return lines.map((l) => `${l}\n`).join('');
}
