import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientException, SubmitJobCommand } from '@aws-sdk/client-batch';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUEUE, describe as describeJob, isAlive, register, startHarness, submit, waitFor, waitForJob, writeScript, type Harness } from './batch-helpers.js';

const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
const EXITED = 'Essential container in task exited';
const TIMEOUT = 'Job attempt duration exceeded timeout';

/**
 * `node hog.cjs <MiB> <holdMs|forever> [<child MiB> ...]`: after HOG_SPAWN_AFTER_MS (default
 * 0), starts one child process per extra argument (each filling and holding that many MiB
 * for good), writes `{ pid, children }` to OUT_DIR/<tag>.json before it takes any memory
 * itself (so the test knows the group even if the kill comes at once), then fills and holds
 * <MiB> and exits 0 after holdMs. A SIGTERM leaves OUT_DIR/<tag>.sigterm: an OOM kill must
 * not send one.
 */
const HOG = `
  const fs = require('node:fs');
  const path = require('node:path');
  const { spawn } = require('node:child_process');
  const [mib, hold, ...childMibs] = process.argv.slice(2);
  const fill = (n) => Buffer.alloc(Number(n) * 1024 * 1024, 1);
  if (process.env.HOG_CHILD === '1') {
    globalThis.held = fill(mib);
    setInterval(() => {}, 1000);
  } else {
    const tag = (process.env.AWS_BATCH_JOB_ARRAY_INDEX ?? 'job') + '-' + process.env.JOB_TAG;
    const out = (suffix) => path.join(process.env.OUT_DIR, tag + suffix);
    process.on('SIGTERM', () => fs.writeFileSync(out('.sigterm'), ''));
    setInterval(() => {}, 1000);
    setTimeout(() => {
      const children = childMibs.map((m) => spawn(process.execPath, [__filename, m, 'forever'], {
        stdio: 'inherit', env: { ...process.env, HOG_CHILD: '1' },
      }));
      fs.writeFileSync(out('.tmp'), JSON.stringify({ pid: process.pid, children: children.map((c) => c.pid) }));
      fs.renameSync(out('.tmp'), out('.json'));
      globalThis.held = fill(mib);
      if (hold !== 'forever') setTimeout(() => process.exit(0), Number(hold));
    }, Number(process.env.HOG_SPAWN_AFTER_MS ?? 0));
  }
`;

/** The live (not zombie) processes whose process group is `pgid`, read from /proc by the test itself. */
function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(name));
  }
  return members;
}

let h: Harness;
let hog: string;
let tags = 0;

beforeAll(async () => {
  h = await startHarness({ vcpus: 4 });
  hog = writeScript(h.dir, 'hog.cjs', HOG);
});

afterAll(async () => {
  await h.close();
});

/** A job definition running hog.cjs with `args`; each gets its own JOB_TAG so its files are its own. */
async function hogDefinition(
  args: string[], containerProperties: Record<string, unknown> = {}, env: Array<{ name: string; value: string }> = [],
): Promise<{ arn: string; tag: string }> {
  const tag = `t${tags++}`;
  const arn = await register(h.client, {
    command: ['node', hog, ...args],
    containerProperties: {
      environment: [{ name: 'OUT_DIR', value: h.dir }, { name: 'JOB_TAG', value: tag }, ...env],
      ...containerProperties,
    },
  });
  return { arn, tag };
}

function pidsOf(tag: string, index = 'job'): { pid: number; children: number[] } {
  return JSON.parse(readFileSync(join(h.dir, `${index}-${tag}.json`), 'utf8')) as { pid: number; children: number[] };
}

/** Every process of the attempt's group is gone; a SIGKILLed grandchild may linger as a zombie until reaped, so poll. */
async function expectGroupGone(tag: string, index = 'job'): Promise<void> {
  const { pid, children } = pidsOf(tag, index);
  await waitFor(`process group ${pid} to be gone`, () => (liveGroupMembers(pid).length === 0 ? true : undefined));
  expect(liveGroupMembers(pid)).toEqual([]);
  expect([pid, ...children].filter(isAlive)).toEqual([]);
}

describe('memory limit', () => {
  it('kills a job past its MEMORY at once with SIGKILL and fails it as an OOM-killed container', async () => {
    // 300 MiB against 128; the idle child shows the whole group goes, not only the process that grew.
    const { arn, tag } = await hogDefinition(['300', 'forever', '0'], {
      resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '128' }],
    });
    const jobId = await submit(h.client, { jobDefinition: arn });
    const job = await waitForJob(h.client, jobId);

    expect([job.status, job.statusReason]).toEqual(['FAILED', EXITED]);
    expect(job.attempts?.map((a) => [a.container?.exitCode, a.container?.reason, a.statusReason])).toEqual([[137, OOM_REASON, EXITED]]);
    expect(job.container).toMatchObject({ exitCode: 137, reason: OOM_REASON, memory: 128 });
    expect(job.container?.resourceRequirements).toEqual([{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '128' }]);
    // A SIGTERM first would have let the job leave its mark.
    expect(existsSync(join(h.dir, `job-${tag}.sigterm`))).toBe(false);
    await expectGroupGone(tag);
    expect(h.echoed.some((line) => line.startsWith(`[${jobId}] attempt 1 failed (exit code 137, ${OOM_REASON}): ${EXITED}`))).toBe(true);
  });

  it('counts the memory of every process in the group together, those started later too', async () => {
    // Two children of 150 MiB each (plus Node's own), each below 256 MiB alone, over it together;
    // they start after the group has already been sampled a few times.
    const { arn, tag } = await hogDefinition(
      ['0', 'forever', '150', '150'],
      { resourceRequirements: [{ type: 'MEMORY', value: '256' }] },
      [{ name: 'HOG_SPAWN_AFTER_MS', value: '1000' }],
    );
    const job = await waitForJob(h.client, await submit(h.client, { jobDefinition: arn }));

    expect(job.attempts?.map((a) => [a.container?.exitCode, a.container?.reason, a.statusReason])).toEqual([[137, OOM_REASON, EXITED]]);
    await expectGroupGone(tag);
  });

  it('lets a job under its limit run to the end', async () => {
    const { arn } = await hogDefinition(['100', '1500'], { resourceRequirements: [{ type: 'MEMORY', value: '512' }] });
    const job = await waitForJob(h.client, await submit(h.client, { jobDefinition: arn }));

    expect([job.status, job.container?.exitCode, job.container?.reason, job.container?.memory]).toEqual(['SUCCEEDED', 0, undefined, 512]);
  });

  it('takes MEMORY from containerOverrides over the definition, and reads the legacy memory fields', async () => {
    const { arn } = await hogDefinition(['300', '2000'], { memory: 2048 });
    const asDefined = await waitForJob(h.client, await submit(h.client, { jobDefinition: arn }));
    const overridden = await waitForJob(h.client, await submit(h.client, {
      jobDefinition: arn,
      containerOverrides: { resourceRequirements: [{ type: 'MEMORY', value: '128' }] },
    }));
    const legacyOverride = await waitForJob(h.client, await submit(h.client, { jobDefinition: arn, containerOverrides: { memory: 128 } }));

    expect([asDefined.status, asDefined.container?.memory]).toEqual(['SUCCEEDED', 2048]);
    for (const job of [overridden, legacyOverride]) {
      expect([job.status, job.container?.exitCode, job.container?.reason, job.container?.memory]).toEqual(['FAILED', 137, OOM_REASON, 128]);
    }
  });

  it('names a legacy memory that is not a whole number of MiB', async () => {
    const { arn } = await hogDefinition(['0', '0']);
    const refused = h.client.send(new SubmitJobCommand({ jobName: 'x', jobQueue: QUEUE, jobDefinition: arn, containerOverrides: { memory: 0 } }));

    await expect(refused).rejects.toThrow(ClientException);
    await expect(refused).rejects.toThrow('containerOverrides.memory must be a positive whole number of MiB, got 0');
  });

  it('sets no limit when no memory is given', async () => {
    const { arn } = await hogDefinition(['300', '1500']);
    const job = await waitForJob(h.client, await submit(h.client, { jobDefinition: arn }));

    expect([job.status, job.container?.exitCode, job.container?.memory]).toEqual(['SUCCEEDED', 0, undefined]);
  });

  it('retries an OOM-killed attempt as the retry strategy says, matching onReason on the container reason', async () => {
    const jobDefinition = await register(h.client, {
      // The first attempt takes 300 MiB; the next one stays small.
      command: ['node', '-e', `
        const big = process.env.AWS_BATCH_JOB_ATTEMPT === '1';
        globalThis.held = Buffer.alloc((big ? 300 : 1) * 1024 * 1024, 1);
        if (big) setInterval(() => {}, 1000);
      `],
      containerProperties: { resourceRequirements: [{ type: 'MEMORY', value: '128' }] },
    });
    const retried = await waitForJob(h.client, await submit(h.client, {
      jobDefinition,
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onReason: 'OutOfMemoryError*', action: 'RETRY' }, { onReason: '*', action: 'EXIT' }] },
    }));
    const notRetried = await waitForJob(h.client, await submit(h.client, {
      jobDefinition,
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onReason: 'OutOfMemoryError*', action: 'EXIT' }] },
    }));

    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.attempts?.map((a) => [a.container?.exitCode, a.container?.reason])).toEqual([[137, OOM_REASON], [0, undefined]]);
    expect(notRetried.status).toBe('FAILED');
    expect(notRetried.attempts?.map((a) => [a.container?.exitCode, a.container?.reason])).toEqual([[137, OOM_REASON]]);
  });

  it('limits each array child on its own', async () => {
    // Children 0 and 2 hold 150 MiB each at the same time (together over 256) and finish; child 1 takes 300 alone.
    const script = writeScript(h.dir, 'array-hog.cjs', `
      const fs = require('node:fs');
      const path = require('node:path');
      const index = process.env.AWS_BATCH_JOB_ARRAY_INDEX;
      globalThis.held = Buffer.alloc((index === '1' ? 300 : 150) * 1024 * 1024, 1);
      if (index === '1') {
        setInterval(() => {}, 1000);
      } else {
        const mark = (i) => path.join(process.env.OUT_DIR, 'array-allocated-' + i);
        fs.writeFileSync(mark(index), '');
        const wait = setInterval(() => {
          if (!fs.existsSync(mark(0)) || !fs.existsSync(mark(2))) return;
          clearInterval(wait);
          setTimeout(() => process.exit(0), 1500);
        }, 20);
      }
    `);
    const jobDefinition = await register(h.client, {
      command: ['node', script],
      containerProperties: {
        environment: [{ name: 'OUT_DIR', value: h.dir }],
        resourceRequirements: [{ type: 'VCPU', value: '1' }, { type: 'MEMORY', value: '256' }],
      },
    });
    const jobId = await submit(h.client, { jobDefinition, arrayProperties: { size: 3 } });
    const parent = await waitForJob(h.client, jobId);
    const children = await Promise.all([0, 1, 2].map((i) => describeJob(h.client, `${jobId}:${i}`)));

    expect([parent.status, parent.statusReason, parent.container?.memory]).toEqual(['FAILED', '1 of 3 child jobs failed', 256]);
    expect(children.map((c) => [c.status, c.container?.exitCode, c.container?.reason])).toEqual([
      ['SUCCEEDED', 0, undefined],
      ['FAILED', 137, OOM_REASON],
      ['SUCCEEDED', 0, undefined],
    ]);
  });

  it('still times out a job under its memory limit, with Batch\'s reason, and does not retry it', async () => {
    const jobDefinition = await register(h.client, {
      command: ['node', '-e', 'setInterval(() => {}, 1000)'],
      containerProperties: { resourceRequirements: [{ type: 'MEMORY', value: '512' }] },
      timeout: { attemptDurationSeconds: 1 },
      retryStrategy: { attempts: 3 },
    });
    const job = await waitForJob(h.client, await submit(h.client, { jobDefinition }));

    expect([job.status, job.statusReason]).toEqual(['FAILED', TIMEOUT]);
    expect(job.attempts?.map((a) => [a.container?.exitCode, a.container?.reason, a.statusReason])).toEqual([[143, undefined, TIMEOUT]]);
  });
});
