/** `drover task log PID TASK`: a task's output, from its start; with --follow, as it is written until the task ends. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { checkIndex, isOpenTask as isOpen, TaskLogError, taskLogRef, taskOf } from '../control/task-log-ref.js';
import { showProcess } from '../ledger/process-queries.js';
import type { TaskView } from '../ledger/process-store.js';
import { readLogFrom, restOfFile, startCursor, type LogCursor, type TaskLogSource } from '../storage/task-log.js';
import { nonNegativeInt } from './arg-parsers.js';
import { action, badUsageExitsTwo } from './bad-input.js';
import { withSession, type LedgerSession } from './ledger-session.js';
import { showCurrent } from './process-launch.js';

const POLL_MS = 500;
/** While following, the process is checked against its workflow this often (in polls), so a terminated one does not keep the follow going. */
const SETTLE_EVERY_POLLS = 10;

async function findTask(session: LedgerSession, processId: string, name: string, settle: boolean): Promise<TaskView> {
  return taskOf(settle ? await showCurrent(session, processId) : await showProcess(session.ledger(), processId), name);
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
  checkIndex(task, opts.index, '--index');
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
