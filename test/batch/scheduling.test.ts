import { describe, expect, it } from '@jest/globals';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText, register, startHarness, submit, waitForJob, writeScript } from './batch-helpers.js';

/**
 * A child that marks itself running in a shared dir and records the most children it sees
 * running at once. It stays at least 300 ms, and until it has seen PEERS children running
 * (itself included), so that children the budget lets overlap are seen to overlap however
 * slowly the machine starts them; a child that no other joins leaves after 5 s.
 */
const OVERLAP_CHILD = `
  const fs = require('node:fs');
  const path = require('node:path');
  const dir = process.env.RUN_DIR;
  const id = process.env.AWS_BATCH_JOB_ID.replace(':', '_');
  const me = path.join(dir, 'running', id);
  const peers = Number(process.env.PEERS ?? '1');
  const started = Date.now();
  fs.writeFileSync(me, '');
  let seen = 0;
  const look = () => {
    seen = Math.max(seen, fs.readdirSync(path.join(dir, 'running')).length);
    fs.writeFileSync(path.join(dir, 'seen', id), String(seen));
    const stayed = Date.now() - started;
    if (stayed >= 300 && (seen >= peers || stayed >= 5000)) fs.unlinkSync(me);
    else setTimeout(look, 20);
  };
  look();
  fs.appendFileSync(path.join(dir, 'starts.log'), process.env.AWS_BATCH_JOB_ID + '\\n');
`;

function prepareRunDir(dir: string): string {
  mkdirSync(join(dir, 'running'));
  mkdirSync(join(dir, 'seen'));
  return writeScript(dir, 'overlap.cjs', OVERLAP_CHILD);
}

function maxSeen(dir: string): number {
  return Math.max(...readdirSync(join(dir, 'seen')).map((f) => Number(readText(join(dir, 'seen', f)))));
}

describe('vCPU budget', () => {
  it('never runs more children at once than the budget allows', async () => {
    const h = await startHarness({ vcpus: 2 });
    try {
      const script = prepareRunDir(h.dir);
      const jobDefinition = await register(h.client, {
        command: ['node', script],
        containerProperties: { environment: [{ name: 'RUN_DIR', value: h.dir }, { name: 'PEERS', value: '2' }] },
      });
      const jobId = await submit(h.client, { jobDefinition, arrayProperties: { size: 6 } });
      expect((await waitForJob(h.client, jobId)).status).toBe('SUCCEEDED');
      expect(readdirSync(join(h.dir, 'seen'))).toHaveLength(6);
      expect(maxSeen(h.dir)).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('counts the vCPUs a job definition asks for', async () => {
    const h = await startHarness({ vcpus: 2 });
    try {
      const script = prepareRunDir(h.dir);
      const jobDefinition = await register(h.client, {
        command: ['node', script],
        containerProperties: { environment: [{ name: 'RUN_DIR', value: h.dir }], resourceRequirements: [{ type: 'VCPU', value: '2' }] },
      });
      const jobId = await submit(h.client, { jobDefinition, arrayProperties: { size: 3 } });
      expect((await waitForJob(h.client, jobId)).status).toBe('SUCCEEDED');
      expect(maxSeen(h.dir)).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('starts children in index order, jobs in submission order', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const script = prepareRunDir(h.dir);
      const jobDefinition = await register(h.client, {
        command: ['node', script],
        containerProperties: { environment: [{ name: 'RUN_DIR', value: h.dir }] },
      });
      const first = await submit(h.client, { jobDefinition, arrayProperties: { size: 3 } });
      const second = await submit(h.client, { jobDefinition, arrayProperties: { size: 2 } });
      await waitForJob(h.client, first);
      await waitForJob(h.client, second);
      expect(readText(join(h.dir, 'starts.log')).trim().split('\n')).toEqual([
        `${first}:0`, `${first}:1`, `${first}:2`, `${second}:0`, `${second}:1`,
      ]);
    } finally {
      await h.close();
    }
  });
});
