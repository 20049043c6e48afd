/**
 * `npm run demo -- [FILE] [--out DIR]`: the whole path a user takes, on the embedded stack:
 * upload a workbook, let the trigger start the run, wait, then save the report and the
 * emails. `--job [ID]` runs a sample catalog job instead (cli/demo-job.ts). Starts the stack
 * unless one is running, and stops what it started.
 */
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { createAwsClients, destroyAwsClients } from '../config/aws-clients.js';
import { loadConfig, type Config } from '../config/load-config.js';
import { readStackFile } from '../config/stack-file.js';
import { runUiLink } from '../config/temporal-connection.js';
import { startStack, type RunningStack } from '../stack/stack.js';
import { tcpProbe } from '../stack/probes.js';
import type { CreditCheckResult } from '../workflows/definitions.js';
import { DEFAULT_DEMO_JOB, readSampleJob, runJobDemo } from './demo-job.js';
import { displayMode, followUntilInterrupted, stoppedWaiting } from './follow-run.js';
import { collect } from './params.js';
import { connectClient, rootMessage, runState, waitForRun } from './run-client.js';
import { saveOutputs } from './save-outputs.js';
import { uploadWorkbook } from './upload.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const program = new Command('demo')
  .description('Run the credit check on a workbook through the embedded stack')
  .argument('[file]', 'customer workbook (.xlsx)', join(root, 'samples', 'customers.xlsx'))
  .option('--out <dir>', 'where to save the report and the emails', 'out')
  .option('--job [id]', `run the sample catalog job samples/jobs/ID instead (default ${DEFAULT_DEMO_JOB})`)
  .option('--param <name=value>', 'with --job: a parameter over the sample\'s own (repeatable)', collect, [])
  .parse();
const file = resolve(program.args[0] ?? join(root, 'samples', 'customers.xlsx'));
const opts = program.opts<{ out: string; job?: string | true; param: string[] }>();
const out = resolve(opts.out);
const jobId = opts.job === true ? DEFAULT_DEMO_JOB : opts.job;

/** A stack another `npm start` runs: its stack.json names a live supervisor whose Temporal answers. */
async function runningStack(home: string): Promise<boolean> {
  const file = readStackFile(home);
  if (!file?.pid) return false;
  try {
    process.kill(file.pid, 0);
  } catch {
    return false;
  }
  const port = Number(file.temporal.address.split(':').pop());
  return tcpProbe(port)();
}

let started: RunningStack | undefined;
let exitCode = 1;
try {
  // A job that is not a sample is refused before the stack starts.
  if (jobId !== undefined) readSampleJob(root, jobId);
  const home = loadConfig({ useStackFile: false, cwd: root }).stack.home;
  if (await runningStack(home)) {
    console.log('using the running stack');
  } else {
    console.log('starting the embedded stack (Temporal, moto, dynalite, Batch executor, portal, trigger, worker)...');
    const t0 = Date.now();
    started = await startStack({ root, say: (line) => console.log(`  ${line}`) });
    console.log(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; Web UI ${started.file.temporal.ui}`);
  }
  const config = loadConfig({ cwd: root });
  if (jobId !== undefined) {
    const succeeded = await runJobDemo({ root, jobId, params: opts.param, out, config, env: started?.env ?? process.env });
    if (started) console.log('(the stack stops now: `npm start` keeps it up)');
    exitCode = succeeded ? 0 : 1;
  } else {
    exitCode = await creditCheckDemo(config);
  }
} catch (err) {
  console.error(`demo failed: ${rootMessage(err)}`);
} finally {
  await started?.stop();
}
process.exit(exitCode);

/** The credit check on `file`: 0 when its run completed. */
async function creditCheckDemo(config: Config): Promise<number> {
  const aws = createAwsClients(config);
  // A key of its own per demo, so running the demo again makes a new run, not a duplicate.
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const t0 = Date.now();
  const { runId, key } = await uploadWorkbook(aws.s3, config.aws.bucket, file, { key: `incoming/demo-${stamp}/${basename(file)}` });
  console.log(`uploaded ${basename(file)} to s3://${config.aws.bucket}/${key}`);
  const client = await connectClient(config);
  const handle = await waitForRun(client, runId);
  console.log(`run ${runId} started; watch it at ${runUiLink(config.temporal.uiUrl, config.temporal.namespace, runId)}`);
  // A stack the demo started stops with it on Ctrl-C, and its run goes on at the next `npm start`.
  if (await followUntilInterrupted(handle, { mode: displayMode(process.stdout, false) })) throw new Error(stoppedWaiting(runId));
  let result: CreditCheckResult | undefined;
  try {
    result = (await handle.result()) as CreditCheckResult;
  } catch (err) {
    console.error(`run ${runId} did not complete: ${rootMessage(err)}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const saved = await saveOutputs(aws.s3, config, runId, out);
  destroyAwsClients(aws);
  const state = await runState(handle);
  await client.connection.close();

  console.log('');
  console.log(`status     ${state.status}${state.reason ? ` (${state.reason})` : ''}`);
  if (result) {
    console.log(`customers  ${result.customers} checked, ${result.rejected} rows rejected`);
    console.log(`ratings    ${Object.entries(result.byRating).map(([r, n]) => `${r} ${n}`).join(', ')}`);
    console.log(`total due  $${(result.totalDueCents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  }
  console.log(`time       ${seconds.toFixed(1)} s from upload to email`);
  if (saved.report) console.log(`report     ${saved.report}`);
  for (const email of saved.emails) console.log(`email      ${email}`);
  console.log(`web ui     ${runUiLink(config.temporal.uiUrl, config.temporal.namespace, runId)}${started ? ' (the stack stops now: `npm start` keeps it up)' : ''}`);
  return state.status === 'COMPLETED' ? 0 : 1;
}
