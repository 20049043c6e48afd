/** `drover process ...`: start, list, show, cancel and retry processes of catalog jobs. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { currentProcesses } from '../control/process-list.js';
import { pricedProcess } from '../control/usage.js';
import { DEFAULT_PROCESS_LIST_LIMIT } from '../ledger/process-queries.js';
import { PROCESS_STATUSES, type ProcessStatus } from '../ledger/tables.js';
import { positiveInt } from './arg-parsers.js';
import { action, badUsageExitsTwo } from './bad-input.js';
import { controlDeps, withSession } from './ledger-session.js';
import { collect } from './params.js';
import { cancelProcess, retryProcess } from './process-control.js';
import { printProcess, showCurrent } from './process-launch.js';
import { startProcess, type StartOptions } from './process-start.js';
import { processLine } from './process-table.js';

function processStatus(text: string): ProcessStatus {
  const status = text.toUpperCase();
  if (!(PROCESS_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`one of ${PROCESS_STATUSES.join(', ')}`);
  return status as ProcessStatus;
}

const waitOption = () => new Option('--wait', 'wait for the process to end, then show it; exits 0 only if it succeeded');

export function addProcessCommands(program: Command): void {
  const group = badUsageExitsTwo(program.command('process').description('processes of catalog jobs: start, follow, cancel and retry them'));

  group
    .command('start')
    .description('start a process of JOB\'s latest version')
    .argument('<job>', 'job id')
    .option('--param <name=value>', 'a parameter (repeatable); the value is JSON unless the job says it is a string', collect)
    .option('--params-file <file>', 'a JSON object of parameters; --param values go over it')
    .addOption(waitOption())
    .option('--json', 'print JSON: {"processId"}, or with --wait the process as process show --json')
    .action(
      action(async (jobId: string, opts: Omit<StartOptions, 'params'> & { param?: string[] }) => {
        process.exitCode = await withSession((s) => startProcess(s, jobId, { ...opts, params: opts.param ?? [] }));
      }),
    );

  group
    .command('list')
    .description('processes, newest first')
    .option('--job <id>', 'only this job\'s')
    .addOption(new Option('--status <status>', 'only those in this state').argParser(processStatus))
    .addOption(new Option('--limit <n>', 'at most this many').default(DEFAULT_PROCESS_LIST_LIMIT).argParser(positiveInt))
    .option('--json', 'one JSON object per line')
    .action(
      action(async (opts: { job?: string; status?: ProcessStatus; limit: number; json?: boolean }) => {
        await withSession(async (s) => {
          const filter = { ...(opts.job ? { jobId: opts.job } : {}), ...(opts.status ? { status: opts.status } : {}), limit: opts.limit };
          const processes = await currentProcesses(controlDeps(s), filter);
          for (const p of processes) console.log(opts.json ? JSON.stringify(pricedProcess(p, s.config.prices)) : processLine(p));
        });
      }),
    );

  group
    .command('show')
    .description('a process and its tasks')
    .argument('<pid>', 'process id')
    .option('--json', 'one JSON object')
    .action(
      action(async (processId: string, opts: { json?: boolean }) => {
        await withSession(async (s) => printProcess(s, await showCurrent(s, processId), Boolean(opts.json)));
      }),
    );

  group
    .command('cancel')
    .description('cancel a process: its running step\'s Batch job is terminated and the rest are not run')
    .argument('<pid>', 'process id')
    .option('--reason <text>', 'why, recorded on the workflow with who asked')
    .action(
      action(async (processId: string, opts: { reason?: string }) => {
        process.exitCode = await withSession((s) => cancelProcess(s, processId, opts.reason));
      }),
    );

  group
    .command('retry')
    .description('run a FAILED or CANCELLED process again from its first task that did not succeed')
    .argument('<pid>', 'process id')
    .addOption(waitOption())
    .option('--json', 'print JSON: {"processId","attempt","resumeFrom"}, or with --wait the process as process show --json')
    .action(
      action(async (processId: string, opts: { wait?: boolean; json?: boolean }) => {
        process.exitCode = await withSession((s) => retryProcess(s, processId, opts));
      }),
    );
}
