import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListJobsCommand } from '@aws-sdk/client-batch';
import { fetchSentEmails } from '../../cli/mailbox.js';
import type { Ledger } from '../../ledger/connect.js';
import { showProcess } from '../../ledger/process-queries.js';
import { RUN_JOB_WORKFLOW } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { fireProcess, ledgerOf, settled } from '../support/processes.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
const scratch = mkdtempSync(join(tmpdir(), 'drover-jobs-'));

beforeAll(async () => {
  // A killed worker's step is picked up again within the heartbeat timeout.
  stack = await startTestStack({ env: { DROVER_HEARTBEAT_SECONDS: '5' } });
  db = ledgerOf(stack);
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.close();
});

const bash = (script: string) => ['bash', '-c', script];
/** Lines appended to `file` by a step: how a test counts the times a step ran. */
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** The pids of processes whose command line holds `marker` (the test's own way to see what still runs). */
function processesWith(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo')).map((l) => Number.parseInt(l.trim(), 10));
}

describe('a catalog job run as a process through the embedded stack', () => {
  it('runs three steps in order and records each, with its usage and parameters', async () => {
    const log = join(scratch, 'three.log');
    const pid = await fireProcess(stack, db, {
      id: 'three-steps',
      name: 'Three steps',
      parameters: { type: 'object', properties: { date: { type: 'string' } }, required: ['date'] },
      steps: [
        // Each lasts a moment: a command without modules runs as itself, and an echo alone ends within the millisecond usage is counted in.
        { name: 'one', command: bash(`echo "one $DROVER_PARAM_DATE $DROVER_TASK" >> ${log}; sleep 0.1`), vcpus: 0.5, memoryMiB: 512 },
        { name: 'two', command: bash(`echo "two $AWS_BATCH_JOB_ARRAY_INDEX" >> ${log}; sleep 0.1`), arraySize: 3 },
        { name: 'three', command: bash(`echo "three $TARGET" >> ${log}; sleep 0.1`), env: { TARGET: 'warehouse' } },
      ],
    }, { date: '2026-12-05' });
    const p = await settled(stack, db, pid);
    expect(p).toMatchObject({ status: 'SUCCEEDED', attempt: 1, failedTask: null, parameters: { date: '2026-12-05' }, triggeredBy: 'cli:test' });
    expect(p.tasks!.map((t) => [t.name, t.status, t.exitCode, t.attempts])).toEqual([['one', 'SUCCEEDED', 0, 1], ['two', 'SUCCEEDED', 0, 1], ['three', 'SUCCEEDED', 0, 1]]);
    const ran = lines(log);
    expect(ran[0]).toBe('one 2026-12-05 one');
    expect(ran.slice(1, 4).sort()).toEqual(['two 0', 'two 1', 'two 2']);
    expect(ran[4]).toBe('three warehouse');
    // Usage is resources x run time: each task's own figures add up to the process's.
    for (const t of p.tasks!) expect(t.usage.vcpuSeconds).toBeGreaterThan(0);
    const sum = p.tasks!.reduce((s, t) => s + t.usage.vcpuSeconds, 0);
    expect(p.usage.vcpuSeconds).toBeCloseTo(sum, 2);
    const one = p.tasks![0]!;
    // 0.5 vCPU and 0.5 GiB: GiB-seconds equal vCPU-seconds for this task.
    expect(one.usage.gibSeconds).toBeCloseTo(one.usage.vcpuSeconds, 3);
    expect(one.batchJobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(one.log!, 'utf8')).toContain('--- ');
  }, 180_000);

  it('fails the process at the failed step, skips the rest, and emails its last log lines', async () => {
    const pid = await fireProcess(stack, db, {
      id: 'fails-in-two',
      name: 'Fails in two',
      notify: { onFailure: ['data-team@example.com'] },
      steps: [
        { name: 'fetch', command: bash('echo fetched') },
        { name: 'load', command: bash('for i in $(seq 1 80); do echo "line $i"; done; echo "no table warehouse.feeds" >&2; exit 3') },
        { name: 'publish', command: bash('echo published') },
      ],
    });
    const p = await settled(stack, db, pid);
    expect(p).toMatchObject({ status: 'FAILED', failedTask: 'load' });
    expect(p.reason).toContain('exit code 3');
    expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([['fetch', 'SUCCEEDED'], ['load', 'FAILED'], ['publish', 'SKIPPED']]);
    expect(p.tasks![1]!.exitCode).toBe(3);
    const described = await stack.client.workflow.getHandle(pid).describe();
    expect(described.status.name).toBe('FAILED');

    const [mail] = await eventually('the failure notice', async () => {
      const sent = await fetchSentEmails(stack.file.aws.endpoint, pid);
      return sent.length > 0 && sent;
    });
    expect([...new Set(mail!.destinations)]).toEqual(['data-team@example.com']);
    const body = mail!.raw.replace(/=\r\n/g, '');
    expect(body).toContain('Failed task: load');
    expect(body).toContain('no table warehouse.feeds');
    expect(body).toContain('line 80');
    // 50 lines: the last 49 of the loop and the error line.
    expect(body).toContain('line 32');
    expect(body).not.toContain('line 31\r\n');
    expect(body).toContain(`${stack.file.temporal.ui}/namespaces/`);
  }, 180_000);

  it('retries from the failed step, keeping the step that succeeded', async () => {
    const count = join(scratch, 'retry-count.log');
    const mark = join(scratch, 'retry-mark');
    const pid = await fireProcess(stack, db, {
      id: 'retried',
      name: 'Retried',
      steps: [
        { name: 'first', command: bash(`echo first >> ${count}`) },
        // Fails until the test makes the mark: as a fix made between the attempts.
        { name: 'second', command: bash(`echo second >> ${count}; test -f ${mark}`) },
        { name: 'third', command: bash(`echo third >> ${count}`) },
      ],
    });
    const failed = await settled(stack, db, pid);
    expect(failed).toMatchObject({ status: 'FAILED', failedTask: 'second', attempt: 1 });
    const firstJob = failed.tasks![0]!.batchJobId;
    writeFileSync(mark, '');
    await stack.client.workflow.start(RUN_JOB_WORKFLOW, {
      workflowId: pid,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ processId: pid, jobId: 'retried', version: 1, parameters: {}, triggeredBy: 'cli:test', attempt: 2, resumeFrom: 'second' }],
    });
    const p = await settled(stack, db, pid);
    expect(p).toMatchObject({ status: 'SUCCEEDED', attempt: 2, failedTask: null, reason: null });
    expect(p.tasks!.map((t) => t.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(p.tasks![0]!.batchJobId).toBe(firstJob);
    expect(lines(count)).toEqual(['first', 'second', 'second', 'third']);
  }, 180_000);

  it('cancels mid-step: the Batch job is terminated, no child remains, every open task is CANCELLED', async () => {
    const marker = `drover-cancel-${process.pid}-${Date.now()}`;
    const pid = await fireProcess(stack, db, {
      id: 'cancelled',
      name: 'Cancelled',
      steps: [
        { name: 'long', command: bash(`sleep 600; echo ${marker}`) },
        { name: 'after', command: bash('echo after') },
      ],
    });
    await eventually('the step to be running', async () => {
      const p = await showProcess(db, pid);
      return p.tasks![0]!.status === 'RUNNING' && p.tasks![0]!.log && processesWith(marker).length > 0;
    });
    await stack.client.workflow.getHandle(pid).cancel();
    const p = await settled(stack, db, pid);
    expect(p.status).toBe('CANCELLED');
    expect(p.tasks!.map((t) => t.status)).toEqual(['CANCELLED', 'CANCELLED']);
    await eventually('the step\'s processes to be gone', () => processesWith(marker).length === 0, 30_000);
    const jobs = await eventually('the Batch job to end', async () => {
      const listed = await stack.aws.batch.send(new ListJobsCommand({ jobQueue: stack.config.batch.jobQueue, filters: [{ name: 'JOB_NAME', values: [`drover-${pid}-long`] }] }));
      return listed.jobSummaryList?.every((j) => j.status === 'FAILED') && listed.jobSummaryList;
    });
    expect(jobs.map((j) => [j.status, j.statusReason])).toEqual([['FAILED', 'drover process cancelled']]);
  }, 180_000);

  it('runs at most maxConcurrentProcesses of a job at once; the others wait QUEUED and start in turn', async () => {
    const gate = join(scratch, 'gate');
    const document = { id: 'one-at-a-time', name: 'One at a time', maxConcurrentProcesses: 1, steps: [{ name: 'wait', command: bash(`while [ ! -f ${gate} ]; do sleep 0.1; done`) }] };
    const first = await fireProcess(stack, db, document);
    await eventually('the first to run', async () => (await showProcess(db, first)).tasks![0]!.status === 'RUNNING');
    const second = await fireProcess(stack, db, document);
    // The second asks for its slot as it begins, is told no while the first runs, and waits without asking again.
    await eventually('the second to be refused a slot', async () => {
      const events = (await stack.client.workflow.getHandle(second).fetchHistory()).events ?? [];
      const asked = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'beginProcessAndClaim');
      return asked !== undefined && events.some((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(asked.eventId));
    });
    expect((await showProcess(db, second)).status).toBe('QUEUED');
    expect((await stack.client.workflow.getHandle(second).describe()).raw.pendingActivities ?? []).toEqual([]);
    writeFileSync(gate, '');
    const [a, b] = await Promise.all([settled(stack, db, first), settled(stack, db, second)]);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
  }, 180_000);

  it('survives a SIGKILL of the worker mid-step: the process completes and every step ran once', async () => {
    const count = join(scratch, 'killed.log');
    const gate = join(scratch, 'killed-gate');
    const pid = await fireProcess(stack, db, {
      id: 'worker-killed',
      name: 'Worker killed',
      steps: [
        { name: 'before', command: bash(`echo before >> ${count}`) },
        { name: 'during', command: bash(`echo during >> ${count}; while [ ! -f ${gate} ]; do sleep 0.1; done`) },
        { name: 'after', command: bash(`echo after >> ${count}`) },
      ],
    });
    await eventually('the second step to run', async () => (await showProcess(db, pid)).tasks![1]!.status === 'RUNNING' && lines(count).includes('during'));
    const worker = stack.services.get('worker')!;
    const killed = worker.pid!;
    process.kill(killed, 'SIGKILL');
    await eventually('the supervisor to restart the worker', () => worker.pid !== killed && worker.pid);
    writeFileSync(gate, '');
    const p = await settled(stack, db, pid);
    expect(p.status).toBe('SUCCEEDED');
    expect(lines(count)).toEqual(['before', 'during', 'after']);
    const jobs = await stack.aws.batch.send(new ListJobsCommand({ jobQueue: stack.config.batch.jobQueue, filters: [{ name: 'JOB_NAME', values: [`drover-${pid}-during`] }] }));
    expect(jobs.jobSummaryList).toHaveLength(1);
  }, 240_000);
});
