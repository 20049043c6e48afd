/** `npx drover`: start, follow, signal and cancel credit-check runs. */
import type { SignalDefinition } from '@temporalio/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { S3Client } from '@aws-sdk/client-s3';
import { s3ClientOptions } from '../config/aws-client-options.js';
import { loadConfigParts, type Config } from '../config/load-config.js';
import { runUiLink } from '../config/temporal-connection.js';
import { CREDIT_CHECK_WORKFLOW, pauseSignal, resumeSignal, setMaxInFlightSignal, setSourceLimitSignal } from '../workflows/definitions.js';
import { addApiKeyCommands } from './api-key-commands.js';
import { positiveInt } from './arg-parsers.js';
import { action, badUsageExitsTwo } from './bad-input.js';
import { dbMigrate } from './db-migrate.js';
import { dbPrune } from './db-prune.js';
import { displayMode, followUntilInterrupted, stoppedWaiting } from './follow-run.js';
import { addJobCommands } from './job-commands.js';
import { addProcessCommands } from './process-commands.js';
import { cancelRun, connectClient, rootMessage, runState, waitForRun, type RunState } from './run-client.js';
import { saveOutputs } from './save-outputs.js';
import { addScheduleCommands } from './schedule-commands.js';
import { addTaskLogCommand } from './task-log-command.js';
import { uploadWorkbook } from './upload.js';
import { addUsageCommand } from './usage-command.js';

const program = new Command('drover').description('Credit checks on AWS Batch, orchestrated by Temporal').showHelpAfterError();
// The CLI reads Temporal's address and the bucket, nothing of Batch, the source or the stack's ports.
let config: Pick<Config, 'temporal' | 'aws'> | undefined;
const cfg = () => (config ??= loadConfigParts(['temporal', 'aws']));

/** With --json the last line is one JSON object; without, a line a person reads. */
function emit(json: boolean, human: string, object: unknown): void {
  console.log(json ? JSON.stringify(object) : human);
}

function describeState(s: RunState): string {
  const { total, done, failed, stage } = s.progress;
  return `${s.runId}  ${s.status}  stage=${stage}  ${done}/${total ?? '?'} done, ${failed} failed${s.reason ? `\n  reason: ${s.reason}` : ''}`;
}

async function signalRun<Args extends unknown[]>(runId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
  await (await connectClient(cfg())).workflow.getHandle(runId).signal(signal, ...args);
}

/** A whole-number argument; a signal handler refuses anything below 1 and logs it. */
const count = (name: string, description: string) => new Command().createArgument(name, description).argParser((v) => Number.parseInt(v, 10));

/** Exit code of a wait stopped with Ctrl-C (128 + SIGINT), the run left running. */
const STOPPED_WAITING = 130;

interface WaitOptions {
  out?: string;
  json?: boolean;
  /** Seconds between progress lines when stdout is not a terminal. */
  progressEvery: number;
}

const progressEveryOption = () =>
  new Option('--progress-every <seconds>', 'when stdout is not a terminal, print a progress line this often')
    .default(10)
    .argParser((v) => {
      const n = Number(v);
      if (!(n > 0)) throw new InvalidArgumentError('a number of seconds above 0');
      return n;
    });

async function waitAndSave(runId: string, { out, json = false, progressEvery }: WaitOptions): Promise<number> {
  const client = await connectClient(cfg());
  const handle = await waitForRun(client, runId);
  if (await followUntilInterrupted(handle, { mode: displayMode(process.stdout, json), everyMs: progressEvery * 1000 })) {
    console.error(`\n${stoppedWaiting(runId)}`);
    return STOPPED_WAITING;
  }
  const state = await runState(handle);
  const saved = out ? await saveOutputs(new S3Client(s3ClientOptions(cfg())), cfg(), runId, out) : undefined;
  if (!json) {
    console.log(describeState(state));
    if (saved?.report) console.log(`report  ${saved.report}`);
    for (const email of saved?.emails ?? []) console.log(`email   ${email}`);
  }
  emit(json, `web ui  ${runUiLink(cfg().temporal.uiUrl, cfg().temporal.namespace, runId)}`, { ...state, saved });
  return state.status === 'COMPLETED' ? 0 : 1;
}

program
  .command('run')
  .description('upload FILE to the input bucket under incoming/, which starts a run')
  .argument('<file>', 'an .xlsx customer workbook')
  .option('--notify <email>', 'who gets the report (object metadata "notify")')
  .option('--key <key>', 'object key to upload to (default incoming/<file name>)')
  .option('--wait', 'wait for the run to finish')
  .option('--out <dir>', 'with --wait, save the report and the emails here')
  .option('--json', 'print one JSON object as the last line')
  .addOption(progressEveryOption())
  .action(async (file: string, opts: { notify?: string; key?: string; wait?: boolean } & WaitOptions) => {
    const s3 = new S3Client(s3ClientOptions(cfg()));
    const { runId, key } = await uploadWorkbook(s3, cfg().aws.bucket, file, opts);
    const client = await connectClient(cfg());
    await waitForRun(client, runId);
    if (!opts.json || !opts.wait) emit(Boolean(opts.json), `started ${runId} for s3://${cfg().aws.bucket}/${key}`, { runId });
    if (opts.wait) process.exitCode = await waitAndSave(runId, opts);
  });

program
  .command('status')
  .description('where a run is')
  .argument('<run>', 'run id')
  .option('--json', 'print one JSON object as the last line')
  .action(async (runId: string, opts: { json?: boolean }) => {
    const client = await connectClient(cfg());
    const state = await runState(client.workflow.getHandle(runId));
    emit(Boolean(opts.json), describeState(state), { runId, status: state.status, progress: state.progress, reason: state.reason });
  });

program
  .command('wait')
  .description('wait for a run to finish; exits 0 only if it completed')
  .argument('<run>', 'run id')
  .option('--out <dir>', 'save the report and the emails here', 'out')
  .option('--json', 'print one JSON object as the last line')
  .addOption(progressEveryOption())
  .action(async (runId: string, opts: WaitOptions) => {
    process.exitCode = await waitAndSave(runId, opts);
  });

program
  .command('cancel')
  .description('cancel a run: its jobs are terminated, its resources removed, and an email says so')
  .argument('<run>', 'run id')
  .option('--reason <text>', 'why: the notice email quotes it, with who asked (this CLI, as user@host)')
  .action(async (runId: string, opts: { reason?: string }) => {
    const client = await connectClient(cfg());
    await cancelRun(client, runId, opts.reason);
    console.log(`cancellation requested for ${runId}`);
  });

program
  .command('pause')
  .description('submit no new array jobs; running ones finish, or with --source wait with the source quiet')
  .argument('<run>', 'run id')
  .option('--source', 'hold the source budget too: the children send no new requests until resume')
  .action(async (runId: string, opts: { source?: boolean }) => {
    await signalRun(runId, pauseSignal, opts.source ? { source: true } : {});
    console.log(opts.source ? `paused ${runId} and its requests to the source` : `paused ${runId}`);
  });

program
  .command('resume')
  .description('resume a paused run')
  .argument('<run>', 'run id')
  .action(async (runId: string) => {
    await signalRun(runId, resumeSignal);
    console.log(`resumed ${runId}`);
  });

program
  .command('max-in-flight')
  .description('change how many array jobs of a run run at once, and/or how many requests its children send at once')
  .argument('<run>', 'run id')
  .addArgument(count('[n]', 'array jobs at once'))
  .addOption(new Option('--source <n>', 'requests to the source at once over all children').argParser((v) => Number.parseInt(v, 10)))
  .action(async (runId: string, jobs: number | undefined, opts: { source?: number }) => {
    if (jobs === undefined && opts.source === undefined) program.error('give <n>, --source <n>, or both');
    await signalRun(runId, setMaxInFlightSignal, { ...(jobs === undefined ? {} : { jobs }), ...(opts.source === undefined ? {} : { source: opts.source }) });
    const said = [jobs === undefined ? '' : `${jobs} array jobs`, opts.source === undefined ? '' : `${opts.source} requests to the source`].filter(Boolean);
    console.log(`${runId}: at most ${said.join(' and ')} at once`);
  });

program
  .command('source-limit')
  .description('change how many requests all children of a run send to the source at once')
  .argument('<run>', 'run id')
  .addArgument(count('<n>', 'requests at once'))
  .action(async (runId: string, n: number) => {
    await signalRun(runId, setSourceLimitSignal, n);
    console.log(`${runId}: at most ${n} requests to the source at once`);
  });

program
  .command('list')
  .description('recent runs')
  .addOption(new Option('--limit <n>', 'how many').default(20).argParser((v) => Number.parseInt(v, 10)))
  .option('--json', 'one JSON object per line')
  .action(async (opts: { limit: number; json?: boolean }) => {
    const client = await connectClient(cfg());
    let n = 0;
    for await (const run of client.workflow.list({ query: `WorkflowType = '${CREDIT_CHECK_WORKFLOW}'` })) {
      if (n++ >= opts.limit) break;
      const attrs = run.searchAttributes as Record<string, unknown[] | undefined>;
      const row = {
        runId: run.workflowId,
        status: run.status.name,
        started: run.startTime.toISOString(),
        input: attrs.DroverInputFile?.[0] ?? '',
        records: attrs.DroverRecordCount?.[0] ?? null,
        stage: attrs.DroverStage?.[0] ?? '',
      };
      console.log(opts.json ? JSON.stringify(row) : `${row.runId}  ${row.status.padEnd(10)} ${row.started}  ${row.stage.toString().padEnd(8)} ${row.records ?? '-'} records  ${row.input}`);
    }
  });

const db = program.command('db').description('the PostgreSQL of the job catalog and the ledger');
db.command('migrate')
  .description('apply the ledger\'s migrations to DATABASE_URL (else the running stack\'s database)')
  .action(async () => console.log(await dbMigrate(loadConfigParts(['database']).database.url)));
badUsageExitsTwo(db.command('prune'))
  .description('delete the processes that ended longer ago than the retention (--days, else DROVER_LEDGER_RETENTION_DAYS), with their tasks, a batch a short transaction')
  .option('--days <n>', 'keep processes made or finished within this many days', positiveInt)
  .option('--dry-run', 'say what would be deleted, deleting nothing', false)
  .action(
    action(async (opts: { days?: number; dryRun: boolean }) => {
      const { database } = loadConfigParts(['database']);
      console.log(await dbPrune(database.url, database.retentionDays, opts));
    }),
  );

addJobCommands(program);
addProcessCommands(program);
addTaskLogCommand(program);
addApiKeyCommands(program);
addScheduleCommands(program);
addUsageCommand(program);

try {
  await program.parseAsync();
} catch (err) {
  console.error(`drover: ${rootMessage(err)}`);
  process.exitCode = 1;
}
process.exit();
