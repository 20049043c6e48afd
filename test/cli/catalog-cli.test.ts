/**
 * The catalog commands as a user runs them: `node bin/drover.js job|process|task ...` against
 * a test stack of its own (PostgreSQL with the ledger, the AWS emulator, the Batch executor and
 * a worker), each job's steps run for real by the executor.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { eventually } from '../support/eventually.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-catalog-cli-'));
const PROCESS_ID = /^[a-z0-9][a-z0-9-]{0,62}-\d{8}-\d{6}-[0-9a-f]{6}$/;

beforeAll(async () => {
  stack = await startTestStack();
}, 240_000);

afterAll(async () => {
  await stack?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function drover(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'bin', 'drover.js'), ...args], { env: stack.env, encoding: 'utf8', timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** The one JSON object a --json command printed. */
function json<T = Record<string, unknown>>(ran: Ran): T {
  try {
    return JSON.parse(ran.stdout.trim()) as T;
  } catch {
    throw new Error(`not one JSON object (exit ${ran.status}):\n${ran.stdout}${ran.stderr}`);
  }
}

function writeJob(name: string, document: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  return path;
}

const bash = (script: string) => ['bash', '-c', script];

interface TaskJson {
  name: string;
  status: string;
  attempts: number;
  exitCode: number | null;
  batchJobId: string | null;
  reason: string | null;
}
interface ProcessJson {
  processId: string;
  jobId: string;
  version: number;
  status: string;
  attempt: number;
  triggeredBy: string;
  parameters: Record<string, unknown>;
  failedTask: string | null;
  reason: string | null;
  usage: { vcpuSeconds: number; gibSeconds: number };
  tasks?: TaskJson[];
}

describe('drover job', () => {
  const doc = { id: 'cli-put', name: 'Put from the CLI', steps: [{ name: 'only', command: bash('echo one') }] };

  it('puts a new version only when the document changes, and refuses an invalid one naming each field', async () => {
    const file = writeJob('put.json', doc);
    expect(await drover('job', 'put', file)).toMatchObject({ status: 0, stdout: 'cli-put version 1\n' });
    // Same content in another layout: no new version.
    writeJob('put.json', JSON.stringify(doc));
    expect(await drover('job', 'put', file)).toMatchObject({ status: 0, stdout: 'cli-put unchanged at version 1\n' });
    expect(json(await drover('job', 'put', file, '--json'))).toEqual({ jobId: 'cli-put', version: 1, created: false });
    writeJob('put.json', { ...doc, name: 'Put from the CLI, renamed' });
    expect(json(await drover('job', 'put', file, '--json'))).toEqual({ jobId: 'cli-put', version: 2, created: true });

    const invalid = writeJob('invalid.json', { id: 'cli-put', name: 'Bad', steps: [{ name: 'a', command: bash('true'), vcpus: 0.1 }, { name: 'b', commands: ['true'] }] });
    const refused = await drover('job', 'put', invalid);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`drover: ${invalid} is not a valid job:`);
    expect(refused.stderr).toContain('  /steps/0/vcpus: must be multiple of 0.25');
    expect(refused.stderr).toContain('  /steps/1: must NOT have additional properties: commands');

    const notJson = await drover('job', 'put', writeJob('not.json', '{"id": "cli-put",'));
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/^drover: .*not\.json is not JSON: /);
    // Nothing refused made a version.
    expect(json(await drover('job', 'show', 'cli-put', '--json'))).toMatchObject({ version: 2, latestVersion: 2 });
  });

  it('uploads --script files under a key named by their bytes and runs them in place of the command', async () => {
    const script = join(scratch, 'extract.sh');
    const body = 'echo "extracting $DROVER_PARAM_DAY"\n';
    writeFileSync(script, body);
    const key = `templates/cli-script/${createHash('sha256').update(body).digest('hex').slice(0, 16)}/extract.sh`;
    const url = `s3://${stack.file.aws.bucket}/${key}`;
    const file = writeJob('script.json', { id: 'cli-script', name: 'Scripted', steps: [{ name: 'extract', command: bash('true') }, { name: 'load', command: bash('true') }] });

    expect(json(await drover('job', 'put', file, '--script', `extract=${script}`, '--json'))).toEqual({ jobId: 'cli-script', version: 1, created: true });
    const stored = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.file.aws.bucket, Key: key }));
    expect(await stored.Body!.transformToString()).toBe(body);
    const shown = json<{ document: { steps: Array<Record<string, unknown>> } }>(await drover('job', 'show', 'cli-script', '--json'));
    expect(shown.document.steps).toEqual([{ name: 'extract', script: url }, { name: 'load', command: bash('true') }]);

    // The same bytes from another path: the same key, so the same document and version.
    const copy = join(mkdtempSync(join(scratch, 'copy-')), 'extract.sh');
    writeFileSync(copy, body);
    expect(json(await drover('job', 'put', file, '--script', `extract=${copy}`, '--json'))).toEqual({ jobId: 'cli-script', version: 1, created: false });

    const unknown = await drover('job', 'put', file, '--script', `transform=${script}`);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('drover: --script transform: ');
    expect(unknown.stderr).toContain('has no step transform (its steps: extract, load)');
  });

  it('lists the jobs and shows any version', async () => {
    const listed = (await drover('job', 'list', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listed.find((j) => j.jobId === 'cli-put')).toMatchObject({ latestVersion: 2, name: 'Put from the CLI, renamed', steps: 1, builtIn: false });
    const human = await drover('job', 'list');
    expect(human.stdout).toMatch(/^cli-put +2 +1 +Put from the CLI, renamed$/m);
    expect(json(await drover('job', 'show', 'cli-put', '--version', '1', '--json'))).toMatchObject({ jobId: 'cli-put', version: 1, latestVersion: 2, document: doc });
    const shown = await drover('job', 'show', 'cli-put');
    expect(shown.stdout).toContain('version      2 (latest)');
    expect(shown.stdout).toContain('"name": "Put from the CLI, renamed"');
    expect(await drover('job', 'show', 'no-such-job')).toMatchObject({ status: 1, stderr: 'drover: no job no-such-job in the catalog\n' });
  });
});

describe('drover process and task', () => {
  beforeAll(async () => {
    const dated = {
      id: 'cli-dated',
      name: 'Dated two steps',
      parameters: { type: 'object', properties: { date: { type: 'string', format: 'date' }, rows: { type: 'integer' } }, required: ['date'], additionalProperties: false },
      steps: [
        { name: 'print-date', command: bash('echo "date=$DROVER_PARAM_DATE"; echo "rows=$DROVER_PARAM_ROWS"'), vcpus: 0.25, memoryMiB: 256 },
        { name: 'after', command: bash('echo after'), vcpus: 0.25, memoryMiB: 256 },
      ],
    };
    const slow = {
      id: 'cli-slow',
      name: 'Counts, then holds',
      steps: [
        { name: 'count', command: bash('for i in 1 2 3; do echo "line $i"; sleep 0.3; done'), vcpus: 0.25, memoryMiB: 256 },
        { name: 'hold', command: bash('sleep 120'), vcpus: 0.25, memoryMiB: 256 },
      ],
    };
    const fan = { id: 'cli-fan', name: 'Three children', steps: [{ name: 'fan', arraySize: 3, command: bash('echo "child $AWS_BATCH_JOB_ARRAY_INDEX"'), vcpus: 0.25, memoryMiB: 256 }] };
    const failing = {
      id: 'cli-failing',
      name: 'Fails in its second step',
      steps: [
        { name: 'first', command: bash('echo first'), vcpus: 0.25, memoryMiB: 256 },
        { name: 'breaks', command: bash('echo breaking; exit 3'), vcpus: 0.25, memoryMiB: 256 },
        { name: 'never', command: bash('echo never'), vcpus: 0.25, memoryMiB: 256 },
      ],
    };
    for (const [name, document] of Object.entries({ dated, failing, slow, fan })) expect((await drover('job', 'put', writeJob(`${name}.json`, document))).status).toBe(0);
  });

  it('refuses parameters the job\'s schema refuses, naming each', async () => {
    const bad = await drover('process', 'start', 'cli-dated', '--param', 'date=yesterday', '--param', 'colour=red');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('drover: parameters refused by cli-dated:');
    expect(bad.stderr).toContain('  /date: must match format "date"');
    expect(bad.stderr).toContain('  /: must NOT have additional properties: colour');
    const missing = await drover('process', 'start', 'cli-dated');
    expect(missing).toMatchObject({ status: 2 });
    expect(missing.stderr).toContain('  /: must have required property \'date\'');
    expect(await drover('process', 'start', 'cli-dated', '--param', 'date')).toMatchObject({ status: 2, stderr: 'drover: --param "date": expected NAME=VALUE\n' });
    // Nothing refused made a process.
    expect((await drover('process', 'list', '--job', 'cli-dated', '--json')).stdout).toBe('');
  });

  it('runs a job to the end with --wait, and task log prints what a step wrote', async () => {
    const paramsFile = join(scratch, 'params.json');
    writeFileSync(paramsFile, JSON.stringify({ date: '1999-12-31', rows: 1 }));
    // --param goes over the file; rows is an integer in the schema, so "7" is the number 7.
    const ran = await drover('process', 'start', 'cli-dated', '--params-file', paramsFile, '--param', 'date=2024-02-29', '--param', 'rows=7', '--wait', '--json');
    expect({ status: ran.status, stderr: ran.stderr }).toEqual({ status: 0, stderr: '' });
    const p = json<ProcessJson>(ran);
    expect(p.processId).toMatch(PROCESS_ID);
    expect(p.processId.startsWith('cli-dated-')).toBe(true);
    expect(p).toMatchObject({ jobId: 'cli-dated', version: 1, status: 'SUCCEEDED', attempt: 1, parameters: { date: '2024-02-29', rows: 7 }, failedTask: null });
    expect(p.triggeredBy).toMatch(/^cli:.+/);
    expect(p.tasks!.map((t) => [t.name, t.status, t.exitCode, t.attempts])).toEqual([
      ['print-date', 'SUCCEEDED', 0, 1],
      ['after', 'SUCCEEDED', 0, 1],
    ]);
    expect(p.tasks!.every((t) => t.batchJobId)).toBe(true);
    // process show --json prints the same process.
    expect(json(await drover('process', 'show', p.processId, '--json'))).toEqual(p);

    // The executor's and the runner's own lines come first; the step's output ends the log.
    expect(await drover('task', 'log', p.processId, 'print-date')).toMatchObject({ status: 0, stdout: expect.stringMatching(/\ndate=2024-02-29\nrows=7\n$/) });
    expect(await drover('task', 'log', p.processId, 'after', '--follow')).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nafter\n$/) });
    expect(await drover('task', 'log', p.processId, 'nope')).toMatchObject({ status: 2, stderr: `drover: ${p.processId} has no task nope (its tasks: print-date, after)\n` });
    expect(await drover('task', 'log', p.processId, 'after', '--index', '1')).toMatchObject({ status: 2 });

    const shown = await drover('process', 'show', p.processId);
    expect(shown.stdout).toContain(`job          cli-dated@1\nstatus       SUCCEEDED\n`);
    expect(shown.stdout).toMatch(/^print-date +SUCCEEDED +1 +0 +\d/m);
    expect(shown.stdout).toContain(`/workflows/${p.processId}`);
  });

  it('prints one child of an array task with --index', async () => {
    const p = json<ProcessJson>(await drover('process', 'start', 'cli-fan', '--wait', '--json'));
    expect(p).toMatchObject({ status: 'SUCCEEDED', tasks: [{ name: 'fan', status: 'SUCCEEDED' }] });
    for (const index of [0, 1, 2]) expect((await drover('task', 'log', p.processId, 'fan', '--index', String(index))).stdout).toMatch(new RegExp(`\\nchild ${index}\\n$`));
    expect(await drover('task', 'log', p.processId, 'fan', '--index', '3')).toMatchObject({ status: 2, stderr: 'drover: --index 3: task fan has children 0 to 2\n' });
  });

  it('fails in the step that exits non-zero, skips the rest, and a retry runs again from that step', async () => {
    const ran = await drover('process', 'start', 'cli-failing', '--wait', '--json');
    expect(ran.status).toBe(1);
    const p = json<ProcessJson>(ran);
    expect(p).toMatchObject({ status: 'FAILED', attempt: 1, failedTask: 'breaks' });
    expect(p.reason).toContain('exit code 3');
    expect(p.tasks!.map((t) => [t.name, t.status, t.exitCode])).toEqual([
      ['first', 'SUCCEEDED', 0],
      ['breaks', 'FAILED', 3],
      ['never', 'SKIPPED', null],
    ]);
    expect((await drover('task', 'log', p.processId, 'breaks')).stdout).toMatch(/\nbreaking\n$/);

    const retried = await drover('process', 'retry', p.processId, '--wait');
    expect(retried.status).toBe(1);
    expect(retried.stdout).toContain(`retrying ${p.processId} (attempt 2) from breaks\n`);
    const again = json<ProcessJson>(await drover('process', 'show', p.processId, '--json'));
    expect(again).toMatchObject({ status: 'FAILED', attempt: 2, failedTask: 'breaks' });
    const [first, breaks, never] = again.tasks!;
    expect(first).toEqual(p.tasks![0]);
    expect(breaks).toMatchObject({ status: 'FAILED', exitCode: 3 });
    expect(breaks!.batchJobId).not.toBe(p.tasks![1]!.batchJobId);
    expect(never).toMatchObject({ status: 'SKIPPED' });

    expect(await drover('process', 'retry', 'cli-failing-20000101-000000-000000')).toMatchObject({ status: 1, stderr: 'drover: no process cli-failing-20000101-000000-000000 in the ledger\n' });
  });

  it('follows a task\'s log from before it starts to its end, cancels a process, and settles one whose workflow was terminated', async () => {
    const started = json<{ processId: string }>(await drover('process', 'start', 'cli-slow', '--json'));
    expect(started.processId).toMatch(PROCESS_ID);
    const pid = started.processId;
    // Started at once: the task has no log yet, and --follow waits for it.
    expect(await drover('task', 'log', pid, 'count', '--follow')).toMatchObject({ status: 0, stdout: expect.stringMatching(/\nline 1\nline 2\nline 3\n$/) });

    await eventually('hold to run', async () => json<ProcessJson>(await drover('process', 'show', pid, '--json')).tasks![1]!.status === 'RUNNING');
    const cancelled = await drover('process', 'cancel', pid, '--reason', 'testing cancel');
    expect({ status: cancelled.status, stderr: cancelled.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cancelled.stdout).toContain('status       CANCELLED\n');
    const ended = json<ProcessJson>(await drover('process', 'show', pid, '--json'));
    expect(ended.tasks!.map((t) => [t.name, t.status])).toEqual([
      ['count', 'SUCCEEDED'],
      ['hold', 'CANCELLED'],
    ]);
    expect(await drover('process', 'cancel', pid)).toMatchObject({ status: 1, stderr: `drover: ${pid} has already ended CANCELLED: there is nothing to cancel\n` });

    // Terminated from outside drover (the Web UI, the temporal CLI): the workflow cannot record it, process show does.
    const other = json<{ processId: string }>(await drover('process', 'start', 'cli-slow', '--json')).processId;
    await eventually('count to run', async () => json<ProcessJson>(await drover('process', 'show', other, '--json')).status === 'RUNNING');
    await stack.client.workflow.getHandle(other).terminate('from the test');
    // A list settles it too (one visibility query for the page, which may lag a moment behind).
    await eventually('process list to settle it', async () => {
      const listed = (await drover('process', 'list', '--job', 'cli-slow', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as ProcessJson);
      return listed.find((p) => p.processId === other)?.status === 'CANCELLED';
    });
    const settled = json<ProcessJson>(await drover('process', 'show', other, '--json'));
    expect(settled).toMatchObject({ status: 'CANCELLED', reason: 'its workflow ended as TERMINATED without recording it' });
    expect(settled.tasks!.every((t) => t.status !== 'PENDING' && t.status !== 'RUNNING')).toBe(true);
  });

  it('lists processes newest first, without their tasks, by job and status', async () => {
    const lines = (await drover('process', 'list', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as ProcessJson);
    expect(lines.map((p) => [p.jobId, p.status, p.attempt])).toEqual([
      ['cli-slow', 'CANCELLED', 1],
      ['cli-slow', 'CANCELLED', 1],
      ['cli-failing', 'FAILED', 2],
      ['cli-fan', 'SUCCEEDED', 1],
      ['cli-dated', 'SUCCEEDED', 1],
    ]);
    expect(lines.every((p) => p.tasks === undefined && p.processId.match(PROCESS_ID))).toBe(true);
    expect((await drover('process', 'list', '--status', 'succeeded', '--json')).stdout.trim().split('\n').map((l) => (JSON.parse(l) as ProcessJson).jobId)).toEqual(['cli-fan', 'cli-dated']);
    expect((await drover('process', 'list', '--job', 'cli-failing', '--limit', '1')).stdout).toMatch(/^cli-failing-\S+ +FAILED +cli-failing@1 +attempt 2 /);
    expect(await drover('process', 'list', '--status', 'DONE')).toMatchObject({ status: 2 });
  });

  it('starts the built-in credit check on a workbook already in the bucket, as a process with its tasks', async () => {
    const key = 'manual/customers.xlsx';
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.config.aws.bucket, Key: key, Body: readFileSync(join(process.cwd(), 'samples', 'customers.xlsx')) }));
    const ran = await drover('process', 'start', 'credit-check', '--param', `key=${key}`, '--param', 'notify=boss@ranch.example', '--wait', '--json');
    expect(ran.status).toBe(0);
    const p = json<ProcessJson>(ran);
    expect(p).toMatchObject({ jobId: 'credit-check', status: 'SUCCEEDED', parameters: { key, notify: 'boss@ranch.example' } });
    expect(p.triggeredBy).toMatch(/^cli:/);
    expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([['validate', 'SUCCEEDED'], ['ingest', 'SUCCEEDED'], ['scrape-1', 'SUCCEEDED'], ['report', 'SUCCEEDED'], ['email', 'SUCCEEDED']]);
    expect(await drover('process', 'start', 'credit-check', '--param', 'key=manual/absent.xlsx')).toMatchObject({ status: 1, stderr: expect.stringContaining('s3://drover-input/manual/absent.xlsx is not there') });
    expect(await drover('process', 'start', 'credit-check', '--param', 'key=manual/notes.txt')).toMatchObject({ status: 2 });
  }, 180_000);
});
