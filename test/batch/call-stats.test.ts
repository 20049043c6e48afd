import { describe, expect, it } from '@jest/globals';
import { DescribeJobsCommand, ListJobsCommand } from '@aws-sdk/client-batch';
import { CallStats, STATS_SECONDS_KEPT, type CallStatsView } from '../../batch/call-stats.js';
import { QUEUE, register, startHarness, submit } from './batch-helpers.js';

async function stats(url: string): Promise<CallStatsView> {
  const res = await fetch(`${url}/drover/stats`);
  expect(res.status).toBe(200);
  return (await res.json()) as CallStatsView;
}

describe('the executor counts the calls it answers', () => {
  it('serves them by operation at GET /drover/stats, refused calls included', async () => {
    const h = await startHarness({ vcpus: 1 });
    try {
      const before = await stats(h.executor.url);
      expect(before).toEqual({ calls: {}, perMinutePeak: {}, seconds: [] });
      const jobDefinition = await register(h.client, { command: ['node', '-e', ''] });
      for (let i = 0; i < 3; i++) await submit(h.client, { jobDefinition });
      await h.client.send(new DescribeJobsCommand({ jobs: ['no-such-job'] }));
      await h.client.send(new DescribeJobsCommand({ jobs: ['no-such-job', 'nor-this'] }));
      await h.client.send(new ListJobsCommand({ jobQueue: QUEUE }));
      // Refused (more than 100 ids), but a call all the same.
      await expect(h.client.send(new DescribeJobsCommand({ jobs: Array.from({ length: 101 }, (_, i) => `j${i}`) }))).rejects.toThrow();

      const expected = { RegisterJobDefinition: 1, SubmitJob: 3, DescribeJobs: 3, ListJobs: 1 };
      const view = await stats(h.executor.url);
      expect(view.calls).toEqual(expected);
      // All within a few seconds, so the busiest minute holds them all.
      expect(view.perMinutePeak).toEqual(expected);
      const summed: Record<string, number> = {};
      for (const s of view.seconds) {
        expect(Number.isInteger(s.t)).toBe(true);
        for (const [op, n] of Object.entries(s.calls)) summed[op] = (summed[op] ?? 0) + n;
      }
      expect(summed).toEqual(expected);
      expect(h.executor.stats()).toEqual(view);
      // The stats route itself is not a Batch call, and other paths are still unknown operations.
      expect((await fetch(`${h.executor.url}/drover/nothing`)).status).toBe(404);
      expect((await stats(h.executor.url)).calls).toEqual(expected);
    } finally {
      await h.close();
    }
  });
});

describe('CallStats', () => {
  function at(): { now: () => number; set(s: number): void } {
    let t = 0;
    return { now: () => t, set: (s) => (t = s * 1000 + 500) };
  }

  it('takes the busiest 60 consecutive seconds as the peak a minute', () => {
    const c = at();
    const stats = new CallStats(c.now);
    // 1 call a second for 90 s, then 30 calls in second 200: windows of 60 s hold 60, then 30.
    for (let s = 0; s < 90; s++) {
      c.set(s);
      stats.count('DescribeJobs');
    }
    c.set(200);
    for (let i = 0; i < 30; i++) stats.count('DescribeJobs');
    c.set(230);
    for (let i = 0; i < 45; i++) stats.count('SubmitJob');
    c.set(250);
    for (let i = 0; i < 40; i++) stats.count('DescribeJobs');
    const view = stats.view();
    expect(view.calls).toEqual({ DescribeJobs: 160, SubmitJob: 45 });
    // Seconds 200 and 250 are within one window: 70 there beats the steady 60.
    expect(view.perMinutePeak).toEqual({ DescribeJobs: 70, SubmitJob: 45 });
    expect(view.seconds.at(-1)).toEqual({ t: 250, calls: { DescribeJobs: 40 } });
  });

  it('keeps per-second counts for the last hour only', () => {
    const c = at();
    const stats = new CallStats(c.now);
    for (let s = 0; s < STATS_SECONDS_KEPT + 500; s++) {
      c.set(s);
      stats.count('ListJobs');
    }
    const view = stats.view();
    expect(view.seconds).toHaveLength(STATS_SECONDS_KEPT);
    expect(view.seconds[0]!.t).toBe(500);
    expect(view.calls).toEqual({ ListJobs: STATS_SECONDS_KEPT + 500 });
    expect(view.perMinutePeak).toEqual({ ListJobs: 60 });
  });
});
