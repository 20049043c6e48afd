import { describe, expect, it } from '@jest/globals';
import { describePlan, MAX_CHILD_CONCURRENCY, planFanOut, REQUESTS_PER_CHILD, type FanOutInputs } from '../../budget/fan-out-plan.js';
import { planFromConfig } from '../../activities/plan-fan-out.js';
import { loadConfig } from '../../config/load-config.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrown } from '../support/thrown.js';

/** The shipped defaults (config/settings.ts) but the budget and the records. */
const defaults = { chunkSize: 10_000, maxArrayJobs: 4, vcpus: 4, childTimeoutSeconds: 1800 } as const;

describe('the fan-out plan', () => {
  it('fills the default budget with the default settings', () => {
    const config = loadConfig({ env: { DROVER_HOME: mkdtempSync(join(tmpdir(), 'drover-plan-')) } });
    expect(config.batch.recordsPerChild).toBeUndefined();
    expect(config.source.childConcurrency).toBeUndefined();
    for (const records of [1, 60, 5_000, 20_000, 1_000_000]) {
      const plan = planFromConfig(config, records);
      expect(plan.reach).toBe(config.source.maxConcurrency);
      expect(plan.childrenAtOnce * plan.childConcurrency).toBeGreaterThanOrEqual(config.source.maxConcurrency);
      expect(plan.notes).toEqual([]);
    }
  });

  it('chooses few busy children that each start once', () => {
    // The case: 4 vCPUs, a budget of 100, 5,000 customers: 2 children of 2,500 at 50 requests each.
    expect(planFanOut({ ...defaults, budget: 100, records: 5_000 })).toMatchObject({
      capacity: 4, chunks: 1, chunksAtOnce: 1, childrenPerChunk: 2, recordsPerChild: 2_500, childrenAtOnce: 2, childConcurrency: 50, reach: 100,
      from: { recordsPerChild: 'plan', childConcurrency: 'plan' },
    });
    // Two chunks at once: one child each, 2 × 50 (what bench/results.md measured fastest by hand).
    expect(planFanOut({ ...defaults, budget: 100, records: 20_000 })).toMatchObject({ chunks: 2, childrenPerChunk: 1, recordsPerChild: 10_000, childrenAtOnce: 2, childConcurrency: 50 });
    // The default budget: one child carries all of it.
    expect(planFanOut({ ...defaults, budget: 50, records: 5_000 })).toMatchObject({ childrenAtOnce: 1, recordsPerChild: 5_000, childConcurrency: 50, reach: 50 });
    // Four chunks at once, one child each: the budget splits over the four.
    expect(planFanOut({ ...defaults, budget: 100, records: 1_000_000 })).toMatchObject({ chunksAtOnce: 4, childrenPerChunk: 1, childrenAtOnce: 4, childConcurrency: 25, reach: 100 });
    // A budget larger than Batch's children carry at 50: every child Batch runs, each with more.
    expect(planFanOut({ ...defaults, budget: 500, records: 5_000 })).toMatchObject({ childrenAtOnce: 4, childrenPerChunk: 4, recordsPerChild: 1_250, childConcurrency: 125, reach: 500 });
    // Batch with 64 vCPUs (the CDK default) and a large budget: 13 children of 50 each (rounded).
    expect(planFanOut({ ...defaults, vcpus: 64, budget: 640, records: 100_000 })).toMatchObject({ chunksAtOnce: 4, childrenPerChunk: 4, childrenAtOnce: 16, childConcurrency: 40, reach: 640 });
  });

  it('fills every budget Batch can carry, and never plans more than a rounding above it', () => {
    const budgets = [1, 2, 7, 8, 32, 49, 50, 51, 99, 100, 101, 250, 1000, 5000];
    const capacities = [1, 2, 3, 4, 13, 64, 256];
    const sizes = [1, 3, 60, 999, 5_000, 10_000, 10_001, 20_000, 123_457, 1_000_000];
    const chunkSizes = [10, 1000, 10_000];
    const arrayJobs = [1, 4, 16];
    let checked = 0;
    const broken: string[] = [];
    const check = (ok: boolean, what: string, inputs: FanOutInputs) => void (ok || broken.push(`${what}: ${JSON.stringify(inputs)}`));
    for (const budget of budgets)
      for (const vcpus of capacities)
        for (const records of sizes)
          for (const chunkSize of chunkSizes)
            for (const maxArrayJobs of arrayJobs) {
              const inputs: FanOutInputs = { budget, vcpus, records, chunkSize, maxArrayJobs };
              const p = planFanOut(inputs);
              const full = Math.min(records, chunkSize);
              check(p.childrenAtOnce <= vcpus && p.childrenAtOnce <= p.chunksAtOnce * p.childrenPerChunk, 'more children at once than Batch runs or the chunks have', inputs);
              // Every record has a child, and no chunk has more children than records.
              check(p.childrenPerChunk * p.recordsPerChild >= full && p.childrenPerChunk <= full, 'records and children do not match', inputs);
              // Filled: the children at once can keep the whole budget in flight, unless even 1,000 each cannot.
              const together = p.childrenAtOnce * p.childConcurrency;
              check(together >= budget || p.childrenAtOnce * MAX_CHILD_CONCURRENCY < budget, 'budget not filled', inputs);
              check(p.reach === Math.min(budget, together), 'reach', inputs);
              // Not exceeded by more than a rounding: no child is given more than its part of the budget.
              check(together < budget + p.childrenAtOnce || p.childConcurrency === 1, 'more than a rounding above the budget', inputs);
              // As many children as carry the budget at 50 each, within Batch's capacity and the records (a rounding of
              // the records per child may halve them, as 14 records for 13 children make 7 children of 2).
              const wanted = Math.min(vcpus, Math.ceil(budget / REQUESTS_PER_CHILD), p.chunksAtOnce * full);
              check(2 * p.childrenAtOnce >= wanted && p.childrenAtOnce <= wanted + p.chunksAtOnce, 'children at once far from those wanted', inputs);
              check((p.notes.length === 0) === (p.reach === budget), 'notes', inputs);
              checked++;
            }
    expect(broken).toEqual([]);
    expect(checked).toBe(budgets.length * capacities.length * sizes.length * chunkSizes.length * arrayJobs.length);
  });

  it('lets each explicit setting override the plan, and plans the rest around it', () => {
    // DROVER_RECORDS_PER_CHILD=50: 100 children a chunk, Batch runs 4: each takes a quarter of the budget.
    expect(planFanOut({ ...defaults, budget: 100, records: 5_000, recordsPerChild: 50 })).toMatchObject({
      recordsPerChild: 50, childrenPerChunk: 100, childrenAtOnce: 4, childConcurrency: 25, reach: 100, from: { recordsPerChild: 'setting', childConcurrency: 'plan' },
    });
    // TAX_SOURCE_CHILD_CONCURRENCY=10: as many children as carry the budget at 10 each, within Batch's 4.
    expect(planFanOut({ ...defaults, budget: 30, records: 5_000, childConcurrency: 10 })).toMatchObject({
      childrenAtOnce: 3, childConcurrency: 10, recordsPerChild: 1_667, reach: 30, from: { recordsPerChild: 'plan', childConcurrency: 'setting' },
    });
    // Both set, and too small to fill the budget: the plan says so rather than pretend.
    const starved = planFanOut({ ...defaults, budget: 100, records: 5_000, recordsPerChild: 50, childConcurrency: 8 });
    expect(starved).toMatchObject({ childrenAtOnce: 4, childConcurrency: 8, reach: 32 });
    expect(starved.notes).toEqual(['the budget of 100 cannot be filled: Batch runs 4 children at once × 8 requests each = 32']);
    expect(describePlan(starved)).toMatch(/32 of the budget of 100; the budget of 100 cannot be filled/);
  });

  it('cuts the records per child so a rate-limited child ends well within its timeout', () => {
    // 2 requests a second: one child of 10,000 records would take 10,000 s. Cut short, 4 children run at
    // once with half a request a second each, and half of 1,800 s holds 225 records.
    const slow = planFanOut({ ...defaults, budget: 50, records: 10_000, maxRps: 2 });
    expect(slow).toMatchObject({ recordsPerChild: 225, childrenPerChunk: 45, childrenAtOnce: 4, childConcurrency: 13 });
    expect(slow.notes).toEqual(['records per child cut from 10000 to 225: at 2 requests/s a child must end within half of its 1800 s timeout']);
    // A rate the child can keep up with changes nothing.
    expect(planFanOut({ ...defaults, budget: 50, records: 10_000, maxRps: 500 }).recordsPerChild).toBe(10_000);
  });

  it('refuses inputs out of range', () => {
    const refusal = (message: string) => ({ name: 'BudgetOptionsError', code: 'BUDGET_OPTIONS', message: `fan-out plan: ${message}` });
    expect(thrown(() => planFanOut({ ...defaults, budget: 0 }))).toMatchObject(refusal(`budget must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got 0`));
    expect(thrown(() => planFanOut({ ...defaults, budget: 10, vcpus: 0 }))).toMatchObject(refusal('vcpus and vcpusPerChild must be above 0, got 0 and 1'));
    expect(thrown(() => planFanOut({ ...defaults, budget: 10, childConcurrency: 1001 }))).toMatchObject(refusal('childConcurrency must be a whole number from 1 to 1000, got 1001'));
  });
});
