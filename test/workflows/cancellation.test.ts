/**
 * Cancelling a run at each stage: the workflow's own logic, with stub activities that hold at
 * the stage under test until they are cancelled, on the pinned Temporal dev server. The notice
 * is the real emailNotice activity (composition and the cancel request's identity and reason,
 * read from the run's history), with SES replaced by a capture.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Context } from '@temporalio/activity';
import { CancelledFailure, Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { SESClient } from '@aws-sdk/client-ses';
import { simpleParser } from 'mailparser';
import { createActivities, type Activities } from '../../activities/index.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { emailActivities, type EmailNoticeInput } from '../../activities/email.js';
import type { ArrayJobResult, IngestResult, RunPlan } from '../../activities/types.js';
import type { ChunkRef } from '../../contracts/credit-check.js';
import type { RunResources } from '../../run-data/names.js';
import type { BuildReportResult } from '../../activities/build-report.js';
import { cancelRun, cliIdentity } from '../../cli/run-client.js';
import { loadConfig } from '../../config/load-config.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import { progressQuery, type CreditCheckInput, type Stage } from '../../workflows/definitions.js';
import { startDevServer } from '../support/dev-server.js';
import { eventually } from '../support/eventually.js';

const taskQueue = 'drover-cancellation-tests';
const CHUNKS = 3;
const PER_CHUNK = 10;

type HeldStage = 'validate' | 'ingest' | 'scrape' | 'report';
/** What a run's stub activities did, by workflow id (the run id). */
interface Trace {
  entered: Set<string>;
  calls: string[];
  notices: EmailNoticeInput[];
  noticeAttempts: number;
  sent: string[];
}

let env: TestWorkflowEnvironment;
let address: string;
let worker: Worker;
let running: Promise<void>;
const traces = new Map<string, Trace>();

const trace = (runId: string): Trace => {
  let t = traces.get(runId);
  if (!t) traces.set(runId, (t = { entered: new Set(), calls: [], notices: [], noticeAttempts: 0, sent: [] }));
  return t;
};
/** The stage a run is held at: its id is `cancel-at-<stage>-...`. */
const heldAt = (runId: string): HeldStage => /^cancel-at-(\w+)-/.exec(runId)![1] as HeldStage;
const runOf = () => Context.current().info.workflowExecution!.workflowId;

/** Heartbeats until the workflow cancels the activity: then throws, as a cancelled activity does. */
async function holdUntilCancelled(what: string): Promise<never> {
  const ctx = Context.current();
  trace(runOf()).entered.add(what);
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(100);
  }
}

const chunk = (index: number): ChunkRef => ({
  index,
  key: `tmp/x/chunks/${index}.jsonl`,
  indexKey: `tmp/x/chunks/${index}.index.json`,
  count: PER_CHUNK,
  firstSeq: index * PER_CHUNK,
  children: 1,
});

/**
 * The run's activities: stubs for every one that does I/O, the real ones for the rest (those
 * that only read the configuration, such as planning), so a new step of that kind needs no stub.
 */
function stubActivities(deps: ActivityDeps): Activities {
  const email = emailActivities(deps);
  const called = (name: string) => trace(runOf()).calls.push(name);
  return {
    ...createActivities(deps),
    async planRun({ runId, bucket }: { runId: string; bucket: string }): Promise<RunPlan> {
      const resources: RunResources = { runId, bucket, table: `drover-run-${runId}`, tmpPrefix: `tmp/${runId}/` };
      return { resources, maxArrayJobs: 4, heartbeatSeconds: 10, overlapStages: true };
    },
    async validateUpload() {
      if (heldAt(runOf()) === 'validate') return holdUntilCancelled('validateUpload');
      return { bytes: 1000, rows: CHUNKS * PER_CHUNK + 1 };
    },
    async ingest(): Promise<IngestResult> {
      if (heldAt(runOf()) === 'ingest') return holdUntilCancelled('ingest');
      const chunks = Array.from({ length: CHUNKS }, (_, i) => chunk(i));
      return { total: CHUNKS * PER_CHUNK, rejected: 0, sheetName: 'Customers', columns: ['Customer ID', 'Name'], extraColumns: [], chunks, rejectedKey: 'tmp/x/rejected.jsonl' };
    },
    async runArrayJob({ chunk: c }: { chunk: ChunkRef }): Promise<ArrayJobResult> {
      // Scrape: the first chunk ends, the others run until cancelled, so the notice has done < total.
      if (heldAt(runOf()) === 'scrape' && c.index > 0) return holdUntilCancelled('runArrayJob');
      return { jobId: `job-${c.index}`, status: 'SUCCEEDED', done: c.count, failed: 0 };
    },
    async buildReport(): Promise<BuildReportResult> {
      // Started as ingest ends, and written while the jobs run: it holds in the scrape and report stages.
      return holdUntilCancelled('buildReport');
    },
    async controlSource() {
      return undefined as never;
    },
    async deleteRunResources() {
      called('deleteRunResources');
      return { table: true, objects: 0 };
    },
    async archiveInput({ key, outcome }: { bucket: string; key: string; outcome: 'processed' | 'failed' }) {
      called(`archiveInput:${outcome}`);
      return { key: `${outcome}/${key}`, moved: true };
    },
    async emailReport() {
      called('emailReport');
      return { messageId: 'report' };
    },
    async emailNotice(input: EmailNoticeInput) {
      const t = trace(runOf());
      t.noticeAttempts++;
      t.notices.push(input);
      return email.emailNotice(input);
    },
  };
}

/** SES as emailNotice calls it, keeping each raw message for the run it names. */
function captureSes(): SESClient {
  return {
    async send(command: { input: { RawMessage?: { Data?: Uint8Array } } }) {
      const raw = Buffer.from(command.input.RawMessage!.Data!).toString('utf8');
      trace(runOf()).sent.push(raw);
      return { MessageId: `msg-${trace(runOf()).sent.length}` };
    },
  } as unknown as SESClient;
}

function noticeDeps(temporal: Client): ActivityDeps {
  const config = loadConfig({ env: { DROVER_HOME: mkdtempSync(join(tmpdir(), 'drover-cancel-')) }, useStackFile: false });
  return { aws: { ses: captureSes() } as unknown as ActivityDeps['aws'], config, temporal };
}

beforeAll(async () => {
  ({ env, address } = await startDevServer());
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: stubActivities(noticeDeps(env.client)),
    maxHeartbeatThrottleInterval: '200 milliseconds',
    defaultHeartbeatThrottleInterval: '200 milliseconds',
  });
  running = worker.run();
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const input = (runId: string): CreditCheckInput => ({ bucket: 'drover-input', key: `incoming/${runId}.xlsx`, etag: '"e"', notify: 'organizer@ranch-analytics.example' });

/** Starts a run held at `stage` and waits until it is there. */
async function startHeld(stage: HeldStage, name: string): Promise<WorkflowHandle> {
  const runId = `cancel-at-${stage}-${name}`;
  const handle = await env.client.workflow.start('creditCheck', { taskQueue, workflowId: runId, args: [input(runId)] });
  const holder: Record<HeldStage, string> = { validate: 'validateUpload', ingest: 'ingest', scrape: 'runArrayJob', report: 'buildReport' };
  await eventually(`${runId} to be held in ${stage}`, async () => {
    const p = await handle.query(progressQuery);
    // In the scrape stage, also wait for the first chunk to be counted.
    return trace(runId).entered.has(holder[stage]) && p.stage === (stage as Stage) && (stage !== 'scrape' || p.done === PER_CHUNK);
  });
  return handle;
}

/** How the run ended and the notice it sent: asserts the common ground of every cancellation. */
async function expectCancelled(handle: WorkflowHandle, stage: HeldStage) {
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect((await handle.describe()).status.name).toBe('CANCELLED');

  const t = trace(handle.workflowId);
  // One notice, sent on its first attempt.
  expect(t.noticeAttempts).toBe(1);
  expect(t.sent).toHaveLength(1);
  const [notice] = t.notices;
  expect(notice).toMatchObject({ runId: handle.workflowId, outcome: 'CANCELLED', progress: { stage } });
  expect(notice!.reason).toBe(`The run was cancelled during the ${stage} stage.`);
  // Compensated: the input goes to failed/; the table and files are removed once ingest has begun.
  expect(t.calls).toContain('archiveInput:failed');
  expect(t.calls.includes('deleteRunResources')).toBe(stage !== 'validate');
  expect(t.calls).not.toContain('emailReport');

  const mail = await simpleParser(t.sent[0]!);
  expect(mail.subject).toBe(`Credit report for incoming/${handle.workflowId}.xlsx (${handle.workflowId}) was cancelled`);
  const reason = /^Reason: (.+)$/m.exec(mail.text ?? '')?.[1] ?? '';
  expect(reason).toMatch(new RegExp(`^The run was cancelled during the ${stage} stage\\.`));
  return { notice: notice!, reason, text: mail.text ?? '' };
}

describe('a cancelled run', () => {
  it('cancelled in validate (by the TS client\'s default identity): notice sent, CANCELLED', async () => {
    const handle = await startHeld('validate', 'client');
    await handle.cancel();
    const { reason, text } = await expectCancelled(handle, 'validate');
    // handle.cancel() sends the client's identity (pid@host by default) and no reason.
    expect(reason).toMatch(/ Requested by \d+@\S+\.$/);
    expect(text).toContain('It stopped in the validate stage, before the sheet had been read to its end, with 0 customers checked (0 failed).');
  }, 120_000);

  it('cancelled in ingest with `drover cancel --reason`: the notice names the CLI\'s identity and quotes the reason', async () => {
    const handle = await startHeld('ingest', 'drover');
    const client = new Client({ connection: env.client.connection, namespace: 'default', identity: cliIdentity() });
    await cancelRun(client, handle.workflowId, 'the wrong file was uploaded');
    const { reason } = await expectCancelled(handle, 'ingest');
    expect(reason).toBe(`The run was cancelled during the ingest stage. Requested by ${cliIdentity()}: the wrong file was uploaded.`);
    expect(cliIdentity()).toMatch(/^drover-cli:.+@.+$/);
  }, 120_000);

  it('cancelled in scrape with the temporal CLI: its identity is named, and how far the run got', async () => {
    const handle = await startHeld('scrape', 'temporal-cli');
    await promisify(execFile)(join(process.cwd(), '.venv', 'bin', 'temporal'), ['workflow', 'cancel', '--address', address, '--workflow-id', handle.workflowId]);
    const { notice, reason, text } = await expectCancelled(handle, 'scrape');
    expect(notice.progress).toEqual({ total: CHUNKS * PER_CHUNK, done: PER_CHUNK, failed: 0, stage: 'scrape' });
    expect(reason).toMatch(/^The run was cancelled during the scrape stage\. Requested by temporal-cli:\S+@\S+\.$/);
    expect(text).toContain(`It stopped in the scrape stage, with ${PER_CHUNK} of ${CHUNKS * PER_CHUNK} customers checked (0 failed).`);
  }, 120_000);

  it('cancelled in report: notice sent, CANCELLED, every customer counted', async () => {
    const handle = await startHeld('report', 'client');
    await handle.cancel();
    const { notice } = await expectCancelled(handle, 'report');
    expect(notice.progress).toEqual({ total: CHUNKS * PER_CHUNK, done: CHUNKS * PER_CHUNK, failed: 0, stage: 'report' });
  }, 120_000);
});

describe('a notice that cannot be composed', () => {
  it('fails at once, not retried: a missing field is a bug, not a fault', async () => {
    const { emailNotice } = emailActivities({ ...noticeDeps(env.client), temporal: undefined });
    const notice: EmailNoticeInput = {
      runId: 'run-1',
      to: 'organizer@ranch-analytics.example',
      inputKey: 'incoming/a.xlsx',
      outcome: 'FAILED',
      reason: '',
      progress: { total: null, done: 0, failed: 0, stage: 'validate' },
    };
    const err = await new MockActivityEnvironment().run(emailNotice, notice).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'EMAIL_OPTIONS', nonRetryable: true, message: 'Missing email option(s): reason' });
  });
});
