/** `drover task log PID TASK`: a task's output, from its start; with --follow, as it is written until the task ends. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { errorWithCode } from '../errors/drover-error.js';
import { showProcess } from '../ledger/process-queries.js';
import type { TaskView } from '../ledger/process-store.js';
import { readLogFrom, startCursor, type LogCursor, type TaskLogSource } from '../storage/task-log.js';
import { nonNegativeInt } from './arg-parsers.js';
import { action, badUsageExitsTwo, CliInputError } from './bad-input.js';
import { withSession, type LedgerSession } from './ledger-session.js';
import { currentProcess } from './process-launch.js';
import { checkIndex, taskLogRef } from './task-log-ref.js';

export class TaskLogError extends errorWithCode('TaskLogError', 'TASK_LOG_NONE') {}

const POLL_MS = 500;
/** While following, the process is checked against its workflow this often (in polls), so a terminated one does not keep the follow going. */
const SETTLE_EVERY_POLLS = 10;

const isOpen = (t: TaskView) => t.status === 'PENDING' || t.status === 'RUNNING';

async function findTask(session: LedgerSession, processId: string, name: string, settle: boolean): Promise<TaskView> {
  const p = settle ? await currentProcess(session, processId) : await showProcess(session.ledger(), processId);
  const task = p.tasks?.find((t) => t.name === name);
  if (!task) throw new CliInputError(`${processId} has no task ${name} (its tasks: ${(p.tasks ?? []).map((t) => t.name).join(', ')})`);
  return task;
}

/** A local file's last line, when the task ended without a newline after it: whole-line reads leave it. */
function restOfFile(path: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const length = fstatSync(fd).size - offset;
    if (length <= 0) return '';
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Prints what the log holds after `cursor`; returns where the next read begins. */
async function drain(source: TaskLogSource, ref: string, from: LogCursor, ended: boolean): Promise<LogCursor> {
  let cursor = from;
  for (;;) {
    const chunk = await readLogFrom(source, ref, cursor);
    if (chunk.lines.length > 0) process.stdout.write(`${chunk.lines.join('\n')}\n`);
    const moved = JSON.stringify(chunk.cursor) !== JSON.stringify(cursor);
    cursor = chunk.cursor;
    if (!moved || chunk.lines.length === 0) break;
  }
  if (ended && cursor.kind === 'file') {
    const rest = restOfFile(ref, cursor.offset);
    if (rest) process.stdout.write(`${rest}\n`);
  }
  return cursor;
}

async function printLog(session: LedgerSession, processId: string, name: string, opts: { follow?: boolean; index?: number }): Promise<void> {
  const source: TaskLogSource = { logs: session.aws().logs, logGroup: session.config.batch.logGroup };
  const batch = () => session.aws().batch;
  let task = await findTask(session, processId, name, true);
  checkIndex(task, opts.index);
  if (task.arraySize && opts.index === undefined) console.error(`(${name} is an array task of ${task.arraySize} children: this is the log it recorded; --index N shows child N's)`);
  let ref = await taskLogRef(task, opts.index, batch);
  if (!opts.follow) {
    if (!ref) throw new TaskLogError(`task ${name} of ${processId} has no log: it is ${task.status}${isOpen(task) ? ' and has not started yet (--follow waits for it)' : ''}`);
    await drain(source, ref, startCursor(ref), !isOpen(task));
    return;
  }
  let cursor: LogCursor | undefined;
  for (let poll = 1; ; poll++) {
    const ended = !isOpen(task);
    ref ??= await taskLogRef(task, opts.index, batch);
    if (ref) cursor = await drain(source, ref, cursor ?? startCursor(ref), ended);
    if (ended && !ref) throw new TaskLogError(`task ${name} of ${processId} ended ${task.status} without a log`);
    if (ended) return;
    await sleep(POLL_MS);
    task = await findTask(session, processId, name, poll % SETTLE_EVERY_POLLS === 0);
  }
}

export function addTaskLogCommand(program: Command): void {
  const group = badUsageExitsTwo(program.command('task').description('the tasks of a process'));
  group
    .command('log')
    .description('print a task\'s output')
    .argument('<pid>', 'process id')
    .argument('<task>', 'task name (the step\'s name)')
    .option('--follow', 'keep printing new lines until the task ends; waits for a task that has not started')
    .addOption(new Option('--index <n>', 'child N of an array task').argParser(nonNegativeInt))
    .action(
      action(async (processId: string, name: string, opts: { follow?: boolean; index?: number }) => {
        await withSession((s) => printLog(s, processId, name, opts));
      }),
    );
}
