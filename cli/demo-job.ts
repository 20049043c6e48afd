/**
 * `npm run demo -- --job [ID]`: a sample catalog job (samples/jobs/ID) run the way a user runs
 * one, through the CLI as child processes: `drover job put` with its scripts, `drover process
 * start --wait`, then the process with its tasks, where its output is, and how to read a
 * task's log. The demo (cli/demo.ts) brings the stack.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createAwsClients, destroyAwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';
import { runUiLink } from '../config/temporal-connection.js';
import type { ProcessView, TaskView } from '../ledger/process-store.js';
import { duration } from './process-table.js';
import { table } from './text-table.js';

export const DEFAULT_DEMO_JOB = 'parcel-summary';

/** What a step's script file may end in: the runtimes the catalog infers from a name. */
const SCRIPT_EXTENSIONS = ['.py', '.js', '.mjs', '.sh'];
/** Most lines of the last task's log the demo shows. */
const LOG_TAIL_LINES = 12;
/** The runner's line just before the step's program starts (runner/fetch-and-run.ts): what follows is the step's own. */
const RUNNER_HEADER = 'drover fetch-and-run: ';

export interface SampleJob {
  id: string;
  dir: string;
  /** samples/jobs/ID/job.json */
  document: string;
  /** Each step whose script is the folder's `<step>.<ext>`, and that file. */
  scripts: Array<{ step: string; path: string }>;
  /** samples/jobs/ID/params.json, or none. */
  parameters: Record<string, unknown>;
}

export interface JobDemoOptions {
  root: string;
  jobId: string;
  /** `K=V` given to the demo, over the sample's own parameters. */
  params: readonly string[];
  /** Where results under reports/jobs/<pid>/ are saved. */
  out: string;
  config: Config;
  /** The environment the CLI runs with: the one that points at the stack. */
  env: NodeJS.ProcessEnv;
}

function samplesDir(root: string): string {
  return join(root, 'samples', 'jobs');
}

/** The sample jobs there are: each folder of samples/jobs with a job.json. */
export function sampleJobIds(root: string): string[] {
  return readdirSync(samplesDir(root), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(samplesDir(root), d.name, 'job.json')))
    .map((d) => d.name)
    .sort();
}

/** A sample job: its document, a script for each step that has a file named after it, and its sample parameters. */
export function readSampleJob(root: string, id: string): SampleJob {
  const dir = join(samplesDir(root), id);
  const document = join(dir, 'job.json');
  if (!existsSync(document)) throw new Error(`no sample job ${id}; there are: ${sampleJobIds(root).join(', ')}`);
  const steps = (JSON.parse(readFileSync(document, 'utf8')) as { steps: Array<{ name: string }> }).steps;
  const files = readdirSync(dir);
  const scripts = steps.flatMap((s) => {
    const file = files.find((f) => SCRIPT_EXTENSIONS.some((ext) => f === `${s.name}${ext}`));
    return file === undefined ? [] : [{ step: s.name, path: join(dir, file) }];
  });
  const paramsFile = join(dir, 'params.json');
  const parameters = existsSync(paramsFile) ? (JSON.parse(readFileSync(paramsFile, 'utf8')) as Record<string, unknown>) : {};
  return { id, dir, document, scripts, parameters };
}

/** `--param K=V` for each sample parameter (JSON unless a string), then those the user gave, which win. */
export function paramArgs(sample: Record<string, unknown>, given: readonly string[]): string[] {
  const byName = new Map(Object.entries(sample).map(([k, v]) => [k, `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`]));
  for (const kv of given) byName.set(kv.split('=')[0]!, kv);
  return [...byName.values()].flatMap((kv) => ['--param', kv]);
}

function drover(root: string): string[] {
  return [join(root, 'dist', 'cli', 'drover.js')];
}

/** Runs the CLI to its end and returns its stdout; its stderr is the user's. */
function cli(root: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...drover(root), ...args], { env, cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    // Ctrl-C reaches the child too: it stops waiting (exit 130) and the demo goes on to stop its stack.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve({ status: code ?? (signal ? 128 : 1), stdout });
    });
  });
}

function oneJson<T>(args: string[], ran: { status: number; stdout: string }): T {
  try {
    return JSON.parse(ran.stdout.trim()) as T;
  } catch {
    throw new Error(`drover ${args.join(' ')} exited ${ran.status} without its JSON${ran.stdout.trim() ? `:\n${ran.stdout.trim()}` : ''}`);
  }
}

function taskDuration(t: TaskView): string {
  return t.startedAt && t.finishedAt ? duration(Date.parse(t.finishedAt) - Date.parse(t.startedAt)) : '-';
}

function taskRows(tasks: readonly TaskView[]): string[] {
  const rows = tasks.map((t) => [
    t.arraySize ? `${t.name} [${t.arraySize}]` : t.name,
    t.status,
    String(t.attempts),
    t.exitCode === null ? '-' : String(t.exitCode),
    taskDuration(t),
    t.usage.vcpuSeconds.toFixed(2),
    t.usage.gibSeconds.toFixed(2),
    t.reason ?? '',
  ]);
  return table([['TASK', 'STATUS', 'ATTEMPTS', 'EXIT', 'DURATION', 'VCPU-S', 'GIB-S', 'REASON'], ...rows]);
}

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function download(s3: S3Client, bucket: string, key: string, path: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(object.Body as Readable, createWriteStream(path));
}

/** The step's own last lines of a task's log, as `drover task log` prints it (pip's lines and the runner's left out). */
async function logTail(root: string, env: NodeJS.ProcessEnv, processId: string, task: TaskView): Promise<string[]> {
  const args = ['task', 'log', processId, task.name, ...(task.arraySize ? ['--index', '0'] : [])];
  const stdout = await new Promise<string>((resolve) => {
    execFile(process.execPath, [...drover(root), ...args], { env, cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (_err, out) => resolve(out));
  });
  const lines = stdout.trimEnd().split('\n');
  const header = lines.map((line) => line.startsWith(RUNNER_HEADER)).lastIndexOf(true);
  return lines.slice(header + 1).slice(-LOG_TAIL_LINES);
}

/** Puts the sample job, runs a process of it and shows how it went; true when it SUCCEEDED. */
export async function runJobDemo(opts: JobDemoOptions): Promise<boolean> {
  const { root, env, config } = opts;
  const sample = readSampleJob(root, opts.jobId);
  const rel = (path: string) => relative(root, path);
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

  const putArgs = ['job', 'put', rel(sample.document), ...sample.scripts.flatMap((s) => ['--script', `${s.step}=${rel(s.path)}`]), '--json'];
  console.log(`$ npx drover ${putArgs.join(' ')}`);
  const put = oneJson<{ jobId: string; version: number; created: boolean }>(putArgs, await cli(root, env, putArgs));
  console.log(`  ${put.jobId} version ${put.version}${put.created ? '' : ' (unchanged)'}`);

  const startArgs = ['process', 'start', sample.id, ...paramArgs(sample.parameters, opts.params), '--wait', '--json'];
  console.log(`$ npx drover ${startArgs.join(' ')}`);
  console.log('  waiting for it to end (a step\'s first run builds its Python venv; later runs reuse it)...');
  const t0 = Date.now();
  const started = await cli(root, env, startArgs);
  if (started.status === 130) return false;
  const p = oneJson<ProcessView>(startArgs, started);
  const seconds = (Date.now() - t0) / 1000;

  console.log('');
  console.log(`process    ${p.processId}`);
  console.log(`job        ${p.jobId}@${p.version}, parameters ${JSON.stringify(p.parameters)}`);
  console.log(`status     ${p.status}${p.failedTask ? ` in ${p.failedTask}` : ''}${p.reason ? ` (${p.reason})` : ''}`);
  console.log(`time       ${seconds.toFixed(1)} s from start to end`);
  console.log(`usage      ${p.usage.vcpuSeconds.toFixed(2)} vCPU-s, ${p.usage.gibSeconds.toFixed(2)} GiB-s`);
  console.log('');
  for (const line of taskRows(p.tasks ?? [])) console.log(`  ${line}`);
  console.log('');

  const aws = createAwsClients(config);
  try {
    const bucket = config.aws.bucket;
    const results = await keysUnder(aws.s3, bucket, `reports/jobs/${p.processId}/`);
    const working = await keysUnder(aws.s3, bucket, `jobs/${p.processId}/`);
    const dir = join(opts.out, p.processId);
    if (results.length > 0) await mkdir(dir, { recursive: true });
    for (const key of results) {
      const path = join(dir, key.slice(key.lastIndexOf('/') + 1));
      await download(aws.s3, bucket, key, path);
      console.log(`output     s3://${bucket}/${key}`);
      console.log(`saved      ${shown(path)}`);
    }
    if (working.length > 0) console.log(`work data  ${working.length} objects under s3://${bucket}/jobs/${p.processId}/`);
  } finally {
    destroyAwsClients(aws);
  }

  const last = [...(p.tasks ?? [])].reverse().find((t) => t.startedAt !== null);
  if (last) {
    const index = last.arraySize ? ' --index 0' : '';
    console.log(`task log   npx drover task log ${p.processId} ${last.name}${index}   (its output:)`);
    for (const line of await logTail(root, env, p.processId, last)) console.log(`    ${line}`);
  }
  for (const t of p.tasks ?? []) {
    if (t.arraySize && t !== last) console.log(`child log  npx drover task log ${p.processId} ${t.name} --index N   (N from 0 to ${t.arraySize - 1})`);
  }
  console.log(`process    npx drover process show ${p.processId}`);
  console.log(`web ui     ${runUiLink(config.temporal.uiUrl, config.temporal.namespace, p.processId)}`);
  return p.status === 'SUCCEEDED';
}
