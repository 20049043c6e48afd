import { describe, expect, it } from '@jest/globals';
import { BatchClient } from '@aws-sdk/client-batch';
import { batchCalls, createBatchCalls } from '../../activities/batch-calls.js';
import { createBatchDescriber, DESCRIBE_MAX_IDS } from '../../activities/batch-describer.js';
import type { CallStatsView } from '../../batch/call-stats.js';
import type { Config } from '../../config/load-config.js';
import { register, startHarness, submit, type Harness } from '../batch/batch-helpers.js';

async function calls(h: Harness, operation: string): Promise<number> {
  const res = await fetch(`${h.executor.url}/drover/stats`);
  return ((await res.json()) as CallStatsView).calls[operation] ?? 0;
}

async function seconds(h: Harness, operation: string): Promise<number[]> {
  const res = await fetch(`${h.executor.url}/drover/stats`);
  return ((await res.json()) as CallStatsView).seconds.filter((s) => s.calls[operation]).map((s) => s.t);
}

/**
 * `count` jobs the executor keeps waiting: with one vCPU, the first runs until the executor
 * closes and the rest stay RUNNABLE. Returns each id with the name it was submitted under (the oracle).
 */
async function waitingJobs(h: Harness, count: number): Promise<Map<string, string>> {
  const jobDefinition = await register(h.client, { command: ['node', '-e', 'setInterval(() => {}, 1000)'] });
  const names = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const jobName = `watched-${i}`;
    names.set(await submit(h.client, { jobDefinition, jobName }), jobName);
  }
  return names;
}

describe('one DescribeJobs queue per worker', () => {
  it('answers 250 watchers at once in ceil(250/100) calls a round, each with its own job', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const jobs = await waitingJobs(h, 250);
      const ids = [...jobs.keys()];
      const describer = createBatchDescriber({ batch: h.client, perSecond: 100 });
      const expectedCalls = Math.ceil(ids.length / DESCRIBE_MAX_IDS);
      for (let round = 0; round < 3; round++) {
        const before = await calls(h, 'DescribeJobs');
        // Every watcher asks for its own job, as 250 activities polling at once would.
        const described = await Promise.all(ids.map((id) => describer.describe(id)));
        expect(described.map((j) => j?.jobId)).toEqual(ids);
        expect(described.map((j) => j?.jobName)).toEqual(ids.map((id) => jobs.get(id)));
        expect((await calls(h, 'DescribeJobs')) - before).toBe(expectedCalls);
      }
    } finally {
      await h.close();
    }
  });

  it('keeps to its calls a second however many watchers poll: their polls get slower instead', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const jobs = await waitingJobs(h, 250);
      const ids = [...jobs.keys()];
      const perSecond = 2;
      const describer = createBatchDescriber({ batch: h.client, perSecond });
      const before = await calls(h, 'DescribeJobs');
      // 250 watchers, each polling its job 3 times and asking again as soon as it has an answer.
      const rounds = 3;
      const seen = await Promise.all(ids.map(async (id) => {
        const names: (string | undefined)[] = [];
        for (let i = 0; i < rounds; i++) names.push((await describer.describe(id))?.jobName);
        return names;
      }));
      expect(seen).toEqual(ids.map((id) => Array<string | undefined>(rounds).fill(jobs.get(id))));
      const made = (await calls(h, 'DescribeJobs')) - before;
      // At least the calls 750 ids need, and no more than the pace allows over the whole seconds
      // the executor saw them in (its own clock): 2 a second, with 2 to spare for a request's
      // latency at either edge. The pace is on sending: a call's arrival is a little later.
      expect(made).toBeGreaterThanOrEqual(Math.ceil((ids.length * rounds) / DESCRIBE_MAX_IDS));
      const ts = await seconds(h, 'DescribeJobs');
      const span = ts.at(-1)! - ts[0]!;
      expect(made).toBeLessThanOrEqual(perSecond * (span + 1) + 2);
    } finally {
      await h.close();
    }
  });

  it('resolves an id Batch does not know as undefined, in the same call as the known ones', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const jobs = await waitingJobs(h, 3);
      const ids = [...jobs.keys()];
      const describer = createBatchDescriber({ batch: h.client, perSecond: 10 });
      const before = await calls(h, 'DescribeJobs');
      const described = await describer.describeMany([ids[0]!, 'no-such-job', ids[1]!, ids[2]!, 'no-such-job']);
      expect(described.map((j) => j?.jobName)).toEqual([jobs.get(ids[0]!), undefined, jobs.get(ids[1]!), jobs.get(ids[2]!), undefined]);
      expect((await calls(h, 'DescribeJobs')) - before).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('fails only the waiters of a call that fails, and goes on', async () => {
    // Requests above 6,000 bytes are refused (400): 100 ids fit, one of 7,000 characters does not.
    const h = await startHarness({ vcpus: 1, maxBodyBytes: 6000 });
    try {
      const jobs = await waitingJobs(h, 105);
      const ids = [...jobs.keys()];
      const describer = createBatchDescriber({ batch: h.client, perSecond: 10 });
      // First asked, first sent: the first 100 ids make one call, the huge id and the rest another.
      const first = ids.slice(0, 100).map((id) => describer.describe(id));
      const huge = 'x'.repeat(7000);
      const second = [huge, ...ids.slice(100)].map((id) => describer.describe(id).then(() => 'answered', (e: unknown) => (e as Error).name));
      expect((await Promise.all(first)).map((j) => j?.jobName)).toEqual(ids.slice(0, 100).map((id) => jobs.get(id)));
      expect(await Promise.all(second)).toEqual(Array(6).fill('ClientException'));
      // The queue is not stuck: the same ids are answered in the next call.
      expect((await describer.describeMany(ids.slice(100))).map((j) => j?.jobName)).toEqual(ids.slice(100).map((id) => jobs.get(id)));
    } finally {
      await h.close();
    }
  });

  it('shares one SubmitJob pace: a burst keeps to the calls a second', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const jobDefinition = await register(h.client, { command: ['node', '-e', 'setInterval(() => {}, 1000)'] });
      const config = { batch: { describePerSecond: 5, submitPerSecond: 10 } } as Pick<Config, 'batch'>;
      const { submits } = createBatchCalls({ aws: { batch: h.client }, config });
      const burst = 35;
      await Promise.all(Array.from({ length: burst }, async (_, i) => {
        await submits.acquire();
        await submit(h.client, { jobDefinition, jobName: `burst-${i}` });
      }));
      expect(await calls(h, 'SubmitJob')).toBe(burst);
      // 35 submissions at 10 in any second are sent over at least 3 s: the executor's clock sees
      // them over at least 2 whole seconds, however late the first one arrives.
      const ts = await seconds(h, 'SubmitJob');
      expect(ts.at(-1)! - ts[0]!).toBeGreaterThanOrEqual(Math.ceil(burst / 10) - 2);
    } finally {
      await h.close();
    }
  });

  it('is one per Batch client for activities built outside createActivities, and the deps\' own when given', () => {
    const config = { batch: { describePerSecond: 5, submitPerSecond: 10 } } as Pick<Config, 'batch'>;
    const client = new BatchClient({ region: 'us-east-1' });
    const other = new BatchClient({ region: 'us-east-1' });
    try {
      const shared = batchCalls({ aws: { batch: client }, config });
      expect(batchCalls({ aws: { batch: client }, config })).toBe(shared);
      expect(batchCalls({ aws: { batch: other }, config })).not.toBe(shared);
      const given = createBatchCalls({ aws: { batch: client }, config });
      expect(batchCalls({ aws: { batch: client }, config, batchCalls: given })).toBe(given);
    } finally {
      client.destroy();
      other.destroy();
    }
  });
});
