/**
 * The fan-out plan: how many array children run at once, how many records each takes and
 * how many requests each keeps in flight, chosen from the source budget and the Batch
 * capacity so that the shipped defaults fill the budget. Pure (no I/O, no Node APIs): the
 * workflow shows the plan in `progress`, and the tests check it without a stack.
 *
 * The rule, with B = TAX_SOURCE_MAX_CONCURRENCY, V = children Batch runs at once (the
 * queue's vCPUs over the vCPUs of a child), M = DROVER_MAX_ARRAY_JOBS and S = DROVER_CHUNK_SIZE:
 * 1. Children wanted at once: as few as can carry B at REQUESTS_PER_CHILD each (fewer, busier
 *    children cost less CPU than many idle ones), and at most V: R = min(V, ceil(B / 50)).
 *    With TAX_SOURCE_CHILD_CONCURRENCY = p set, R = min(V, ceil(B / p)).
 * 2. Records per child: the chunks that run at once (min(M, chunks)) split into R children
 *    between them, every child equally long, so each child starts once and the children end
 *    together: k = ceil(min(records, S) / ceil(R / chunks at once)). DROVER_RECORDS_PER_CHILD
 *    set wins. When TAX_SOURCE_MAX_RPS is set, k is also cut so a child's share of the rate
 *    finishes its records within half of DROVER_CHILD_TIMEOUT_SECONDS.
 * 3. Requests per child: the budget over the children that will really run at once,
 *    A = min(V, chunks at once × children per chunk): p = ceil(B / A), at most 1,000.
 *    TAX_SOURCE_CHILD_CONCURRENCY set wins.
 * Then A × p >= B (the budget can be filled) and A × p < B + A (no child is given more than
 * its part and a rounding): the shared budget holds the requests in flight to B exactly, and
 * a child that starts early or ends late takes the slots the others leave, up to p.
 */
import { BudgetOptionsError } from './errors.js';

/** Most requests one child is planned to keep in flight when Batch can run more children. */
export const REQUESTS_PER_CHILD = 50;
/** TAX_SOURCE_CHILD_CONCURRENCY's bound (config/settings.ts). */
export const MAX_CHILD_CONCURRENCY = 1000;
/** DROVER_RECORDS_PER_CHILD's bound: a chunk is one array job of at most 10,000 children. */
export const MAX_RECORDS_PER_CHILD = 10_000;
/** Requests a record costs at most in the plan's timeout check: the search, then the parcel page. */
export const REQUESTS_PER_RECORD = 2;

export interface FanOutInputs {
  /** Records the run will have, as far as known before ingest (the sheet's row count); undefined: a full chunk. */
  records?: number;
  /** DROVER_CHUNK_SIZE. */
  chunkSize: number;
  /** DROVER_MAX_ARRAY_JOBS. */
  maxArrayJobs: number;
  /** TAX_SOURCE_MAX_CONCURRENCY, the source budget: requests in flight over all children. */
  budget: number;
  /** vCPUs of the Batch job queue (DROVER_BATCH_VCPUS). */
  vcpus: number;
  /** vCPUs of one child (the job definition's). Default 1. */
  vcpusPerChild?: number;
  /** TAX_SOURCE_MAX_RPS. */
  maxRps?: number;
  /** DROVER_CHILD_TIMEOUT_SECONDS. */
  childTimeoutSeconds?: number;
  /** DROVER_RECORDS_PER_CHILD when set: it overrides the plan. */
  recordsPerChild?: number;
  /** TAX_SOURCE_CHILD_CONCURRENCY when set: it overrides the plan. */
  childConcurrency?: number;
}

export interface FanOutPlan {
  /** The source budget the plan fills (TAX_SOURCE_MAX_CONCURRENCY). */
  budget: number;
  /** Children Batch runs at once: the queue's vCPUs over a child's. */
  capacity: number;
  /** Records planned for. */
  records: number;
  chunks: number;
  /** Array jobs that run at once: min(DROVER_MAX_ARRAY_JOBS, chunks). */
  chunksAtOnce: number;
  recordsPerChild: number;
  /** Children of a full chunk. */
  childrenPerChunk: number;
  /** Children that run at once. */
  childrenAtOnce: number;
  /** Requests one child keeps in flight at most (its block of the budget). */
  childConcurrency: number;
  /** Requests the children can keep in flight together, up to the budget: the budget is filled when this equals it. */
  reach: number;
  /** Which values the settings gave and which the plan chose. */
  from: { recordsPerChild: 'setting' | 'plan'; childConcurrency: 'setting' | 'plan' };
  /** What keeps the plan from filling the budget, or what it cut; empty when nothing did. */
  notes: string[];
}

function whole(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new BudgetOptionsError(`fan-out plan: ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** @throws {BudgetOptionsError} on inputs out of range. */
export function planFanOut(inputs: FanOutInputs): FanOutPlan {
  const { chunkSize, maxArrayJobs, budget, vcpus, vcpusPerChild = 1, maxRps, childTimeoutSeconds } = inputs;
  whole('chunkSize', chunkSize, 1, MAX_RECORDS_PER_CHILD);
  whole('maxArrayJobs', maxArrayJobs, 1);
  whole('budget', budget, 1);
  whole('records', inputs.records, 0);
  whole('recordsPerChild', inputs.recordsPerChild, 1, MAX_RECORDS_PER_CHILD);
  whole('childConcurrency', inputs.childConcurrency, 1, MAX_CHILD_CONCURRENCY);
  whole('childTimeoutSeconds', childTimeoutSeconds, 1);
  if (!(vcpus > 0) || !(vcpusPerChild > 0)) throw new BudgetOptionsError(`fan-out plan: vcpus and vcpusPerChild must be above 0, got ${vcpus} and ${vcpusPerChild}`);
  if (maxRps !== undefined && !(maxRps > 0)) throw new BudgetOptionsError(`fan-out plan: maxRps must be above 0, got ${maxRps}`);

  const notes: string[] = [];
  const records = Math.max(1, inputs.records ?? chunkSize);
  const capacity = Math.max(1, Math.floor(vcpus / vcpusPerChild));
  const chunks = ceilDiv(records, chunkSize);
  const chunksAtOnce = Math.min(maxArrayJobs, chunks);
  const fullChunk = Math.min(records, chunkSize);

  let recordsPerChild: number;
  if (inputs.recordsPerChild !== undefined) recordsPerChild = inputs.recordsPerChild;
  else {
    const wanted = Math.min(capacity, ceilDiv(budget, inputs.childConcurrency ?? REQUESTS_PER_CHILD));
    recordsPerChild = ceilDiv(fullChunk, ceilDiv(wanted, chunksAtOnce));
  }
  if (inputs.recordsPerChild === undefined && maxRps !== undefined && childTimeoutSeconds !== undefined) {
    // A child gets about maxRps / (children at once) of the rate; it must end well within its timeout.
    // Shorter children make more of them run at once, each with less of the rate: cut until it holds.
    const planned = recordsPerChild;
    for (let i = 0; i < 8; i++) {
      const at = Math.min(capacity, chunksAtOnce * ceilDiv(fullChunk, recordsPerChild));
      const fits = Math.max(1, Math.floor(((childTimeoutSeconds / 2) * (maxRps / at)) / REQUESTS_PER_RECORD));
      if (fits >= recordsPerChild) break;
      recordsPerChild = fits;
    }
    if (recordsPerChild < planned) {
      notes.push(`records per child cut from ${planned} to ${recordsPerChild}: at ${maxRps} requests/s a child must end within half of its ${childTimeoutSeconds} s timeout`);
    }
  }
  const childrenPerChunk = ceilDiv(fullChunk, recordsPerChild);
  const childrenAtOnce = Math.max(1, Math.min(capacity, chunksAtOnce * childrenPerChunk));

  let childConcurrency = inputs.childConcurrency ?? ceilDiv(budget, childrenAtOnce);
  if (childConcurrency > MAX_CHILD_CONCURRENCY) {
    notes.push(`${childrenAtOnce} children at once would need ${childConcurrency} requests each; a child keeps at most ${MAX_CHILD_CONCURRENCY}`);
    childConcurrency = MAX_CHILD_CONCURRENCY;
  }
  const reach = Math.min(budget, childrenAtOnce * childConcurrency);
  if (reach < budget) {
    const why = capacity <= childrenAtOnce ? `Batch runs ${capacity} children at once` : `the run has ${childrenAtOnce} children at once`;
    notes.push(`the budget of ${budget} cannot be filled: ${why} × ${childConcurrency} requests each = ${childrenAtOnce * childConcurrency}`);
  }
  return {
    budget,
    capacity,
    records,
    chunks,
    chunksAtOnce,
    recordsPerChild,
    childrenPerChunk,
    childrenAtOnce,
    childConcurrency,
    reach,
    from: {
      recordsPerChild: inputs.recordsPerChild === undefined ? 'plan' : 'setting',
      childConcurrency: inputs.childConcurrency === undefined ? 'plan' : 'setting',
    },
    notes,
  };
}

/** One line for logs: what the plan chose and why. */
export function describePlan(p: FanOutPlan): string {
  const set = (k: keyof FanOutPlan['from']) => (p.from[k] === 'setting' ? ' (set)' : '');
  const chunks = `${p.chunks} chunk${p.chunks === 1 ? '' : 's'}, ${p.chunksAtOnce} at once`;
  return (
    `${p.records} records in ${chunks}; ${p.childrenPerChunk} children a chunk of ${p.recordsPerChild} records${set('recordsPerChild')}; ` +
    `${p.childrenAtOnce} children at once (Batch runs ${p.capacity}) × ${p.childConcurrency} requests${set('childConcurrency')} ` +
    `reach ${p.reach} of the budget of ${p.budget}` +
    (p.notes.length > 0 ? `; ${p.notes.join('; ')}` : '')
  );
}
