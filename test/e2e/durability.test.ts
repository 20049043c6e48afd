import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readFileSync as read } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListJobsCommand } from '@aws-sdk/client-batch';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import ExcelJS from 'exceljs';
import { PortalDataset } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { progressQuery } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { bucketKeys, outcome, readReport, reportRows, rootCause, runHandle, runTables, upload } from '../support/runs.js';
import { zipBytes } from '../sheet/support.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-durability-'));
const dataset = new PortalDataset({ seed: 42 });

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      // Several array jobs that each take a while, so there is a fan-out in flight to break.
      DROVER_CHUNK_SIZE: '40',
      DROVER_RECORDS_PER_CHILD: '10',
      DROVER_MAX_ARRAY_JOBS: '2',
      DROVER_PORTAL_LATENCY_MS: '100',
      TAX_SOURCE_CHILD_CONCURRENCY: '2',
      // A dead worker's attempt is noticed within seconds, not the default minute.
      DROVER_HEARTBEAT_SECONDS: '5',
      SHEET_MAX_ROWS: '500',
      SHEET_MAX_BYTES: String(2 * 1024 * 1024),
    },
  });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

async function workbook(name: string, n: number, start = 0): Promise<Buffer> {
  const path = join(scratch, name);
  await writeCustomerWorkbook(path, dataset.customers(n, { start }));
  return readFileSync(path);
}

async function jobsOfRun(runId: string): Promise<string[]> {
  const names: string[] = [];
  for (const jobStatus of ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const) {
    const out = await stack.aws.batch.send(new ListJobsCommand({ jobQueue: stack.file.batch.jobQueue, jobStatus }));
    names.push(...(out.jobSummaryList ?? []).map((j) => j.jobName!).filter((n) => n.startsWith(`drover-${runId}-`)));
  }
  return names.sort();
}

/** Waits until the run has array jobs running, then hands over. */
async function midFanOut(runId: string) {
  const handle = await runHandle(stack, runId);
  await eventually('the fan-out to be under way', async () => {
    const p = await handle.query(progressQuery);
    return p.stage === 'scrape' && p.chunks.running > 0 && p.chunks.done < p.chunks.total;
  });
  return handle;
}

async function expectEveryCustomerOnce(reportKey: string, n: number, start = 0) {
  const rows = reportRows((await readReport(stack, reportKey)).book);
  expect(rows.map((r) => r['Customer ID'])).toEqual(dataset.customers(n, { start }).map((c) => c.customerId));
  expect(rows.filter((r) => r.Rating === 'ERROR')).toEqual([]);
}

describe('durable execution through the embedded stack', () => {
  it('survives a SIGKILL of the worker mid-fan-out: every customer once, no array job submitted twice', async () => {
    const runId = await upload(stack, 'incoming/worker-killed.xlsx', await workbook('worker-killed.xlsx', 160));
    await midFanOut(runId);
    const worker = stack.services.get('worker')!;
    const pid = worker.pid!;
    process.kill(pid, 'SIGKILL');
    await eventually('the supervisor to restart the worker', () => worker.pid !== pid && worker.pid);
    const { result, error } = await outcome(stack, runId);
    expect(error).toBeUndefined();
    expect(result!.customers).toBe(160);
    await expectEveryCustomerOnce(result!.reportKey, 160);
    expect(await jobsOfRun(runId)).toEqual([0, 1, 2, 3].map((i) => `drover-${runId}-chunk-${i}`));
  }, 240_000);

  it('survives a kill and restart of the Temporal server mid-run', async () => {
    const runId = await upload(stack, 'incoming/temporal-killed.xlsx', await workbook('temporal-killed.xlsx', 120, 1000));
    await midFanOut(runId);
    const temporal = stack.services.get('temporal')!;
    const pid = temporal.pid!;
    process.kill(pid, 'SIGKILL');
    await eventually('the supervisor to restart Temporal', () => temporal.pid !== pid && temporal.pid);
    const { result, error } = await eventually('the run to finish after the restart', async () => outcome(stack, runId));
    expect(error).toBeUndefined();
    await expectEveryCustomerOnce(result!.reportKey, 120, 1000);
  }, 240_000);

  it('survives a SIGKILL of the Batch executor mid-fan-out: the jobs are resubmitted and every customer lands once', async () => {
    const runId = await upload(stack, 'incoming/batch-killed.xlsx', await workbook('batch-killed.xlsx', 120, 4000));
    await midFanOut(runId);
    const batch = stack.services.get('batch')!;
    const pid = batch.pid!;
    process.kill(pid, 'SIGKILL');
    await eventually('the supervisor to restart the Batch executor', () => batch.pid !== pid && batch.pid);
    const { result, error } = await outcome(stack, runId);
    expect(error).toBeUndefined();
    await expectEveryCustomerOnce(result!.reportKey, 120, 4000);
  }, 240_000);

  it('is paused, resumed, retuned, followed and cancelled from the drover and temporal command lines', async () => {
    const file = join(scratch, 'by-cli.xlsx');
    await writeCustomerWorkbook(file, dataset.customers(400, { start: 6000 }));
    const started = await cli('drover', ['run', file, '--notify', 'cli@ranch.example', '--json']);
    expect(started.status).toBe(0);
    const runId = started.last!.runId as string;
    expect(runId).toMatch(/^credit-[0-9a-f]{12}$/);

    expect((await cli('temporal', ['workflow', 'signal', '--workflow-id', runId, '--name', 'pause'])).status).toBe(0);
    const held = await eventually('the paused run to drain its array jobs', async () => {
      const q = await cli('temporal', ['workflow', 'query', '--workflow-id', runId, '--type', 'progress']);
      const p = (q.last as { queryResult?: [{ paused: boolean; chunks: { running: number; done: number; total: number } }] }).queryResult?.[0];
      return p && p.paused && p.chunks.running === 0 && p.chunks.total === 10 ? p : undefined;
    });
    expect(held.chunks.done).toBeLessThan(10);
    const status = await cli('drover', ['status', runId, '--json']);
    expect(status.last).toMatchObject({ runId, status: 'RUNNING', progress: { total: 400 } });

    expect((await cli('drover', ['max-in-flight', runId, '3', '--source', '20'])).status).toBe(0);
    expect((await cli('drover', ['resume', runId])).status).toBe(0);
    const out = join(scratch, 'cli-out');
    const waited = await cli('drover', ['wait', runId, '--out', out, '--json']);
    expect(waited.status).toBe(0);
    expect(waited.last).toMatchObject({ runId, status: 'COMPLETED', progress: { total: 400, done: 400, failed: 0, stage: 'done' } });
    const saved = waited.last!.saved as { report: string; emails: string[] };
    expect(saved.report).toBe(join(out, `credit-report-by-cli-${runId}.xlsx`));
    expect(saved.emails).toHaveLength(1);
    expect(readFileSync(saved.emails[0]!, 'utf8')).toContain('cli@ranch.example');
    expect((await cli('drover', ['list', '--json'])).stdout).toContain(`"runId":"${runId}"`);

    const second = join(scratch, 'cancel-by-cli.xlsx');
    await writeCustomerWorkbook(second, dataset.customers(400, { start: 7000 }));
    const victim = (await cli('drover', ['run', second, '--json'])).last!.runId as string;
    await midFanOut(victim);
    expect((await cli('drover', ['cancel', victim])).status).toBe(0);
    const cancelled = await cli('drover', ['wait', victim, '--out', out, '--json']);
    expect(cancelled.status).toBe(1);
    expect(cancelled.last).toMatchObject({ runId: victim, status: 'CANCELLED' });
    expect(readFileSync((cancelled.last!.saved as { emails: string[] }).emails[0]!, 'utf8')).toMatch(/cancel/i);
  }, 240_000);

  const badUploads: [string, () => Buffer | Promise<Buffer>, RegExp][] = [
    ['an empty file', () => Buffer.alloc(0), /empty/i],
    ['random bytes', () => randomBytes(4096), /not an? .*(xlsx|workbook)|unknown|binary/i],
    ['a zip that is not a workbook', () => zipBytes([{ name: 'readme.txt', data: Buffer.from('hello') }]), /zip|workbook/i],
    ['a sheet without a header row', () => noHeaderWorkbook(), /header/i],
    ['a sheet over the row limit', () => workbook('too-many.xlsx', 501, 5000), /500/],
    ['a file over the size limit', () => randomBytes(3 * 1024 * 1024), /2097152|limit/i],
  ];

  it.each(badUploads)('fails %s before any lookup, names the problem, and leaves nothing behind', async (what, make, reason) => {
    const key = `incoming/bad-${what.replace(/\W+/g, '-')}.xlsx`;
    const runId = await upload(stack, key, await make());
    const { error } = await outcome(stack, runId);
    expect(error).toBeDefined();
    expect(rootCause(error!)).toMatch(reason);
    expect(await jobsOfRun(runId)).toEqual([]);
    expect((await runTables(stack)).filter((t) => t.endsWith(runId))).toEqual([]);
    const keys = await bucketKeys(stack);
    expect(keys).toContain(key.replace(/^incoming\//, 'failed/'));
    expect(keys.filter((k) => k.startsWith(`tmp/${runId}/`))).toEqual([]);
  }, 120_000);

  it('starts one run for a duplicate S3 event and for the same file uploaded twice', async () => {
    const body = await workbook('twice.xlsx', 20, 2000);
    const first = await upload(stack, 'incoming/twice.xlsx', body);
    const queueUrl = stack.file.aws.queueUrl;
    const { result } = await outcome(stack, first);
    expect(result!.customers).toBe(20);
    // The same content under the same key again: the same run, so nothing new starts.
    expect(await upload(stack, 'incoming/twice.xlsx', body)).toBe(first);
    // And the very event S3 sent, delivered once more.
    const event = JSON.stringify({
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: stack.file.aws.bucket }, object: { key: 'incoming/twice.xlsx', eTag: await etagOf('incoming/twice.xlsx'), size: body.length } } }],
    });
    await stack.aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: event }));
    const outcomes = await eventually('the trigger to see all three events', () => {
      const lines = read(join(stack.home, 'logs', 'trigger.log'), 'utf8').split('\n').filter((l) => l.startsWith('{') && l.includes(first));
      const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      return msgs.length >= 3 ? msgs : undefined;
    });
    expect(outcomes).toEqual(['run started', 'run duplicate', 'run duplicate']);
    let runs = 0;
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${first}'` })) runs += run.workflowId === first ? 1 : 0;
    expect(runs).toBe(1);
  }, 120_000);
});

/**
 * Runs a command line as a user would. Asynchronously: the stack's services log through
 * pipes into this process, and a blocked event loop would stall them.
 */
async function cli(command: string, args: string[]): Promise<{ status: number; stdout: string; last: Record<string, unknown> | undefined }> {
  const [bin, ...pre] = command === 'drover' ? [process.execPath, join(process.cwd(), 'bin', 'drover.js')] : [join(process.cwd(), '.venv', 'bin', 'temporal')];
  const extra = command === 'temporal' ? ['--address', stack.file.temporal.address, '--namespace', stack.file.temporal.namespace, '-o', 'json'] : [];
  const out = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(bin!, [...pre, ...args, ...extra], { env: stack.env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
  const lines = out.stdout.trim().split('\n');
  let last: Record<string, unknown> | undefined;
  try {
    last = JSON.parse(command === 'temporal' ? out.stdout : lines[lines.length - 1]!) as Record<string, unknown>;
  } catch {
    last = undefined;
  }
  return { status: out.status ?? -1, stdout: out.stdout + out.stderr, last };
}

async function etagOf(key: string): Promise<string> {
  const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: stack.file.aws.bucket, Key: key }));
  return head.ETag!.replace(/"/g, '');
}

async function noHeaderWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Customers');
  sheet.addRow(['Quarterly figures']);
  sheet.addRow(['North', 12, 14]);
  sheet.addRow(['South', 9, 11]);
  return Buffer.from(await book.xlsx.writeBuffer());
}
