/**
 * The questions the API and the CLI ask the ledger, asked through drover's own functions with
 * varied arguments (random processes, jobs, people, days), each timed from the call to its
 * answer.
 */
import { sql } from 'kysely';
import type { Ledger } from '../ledger/connect.js';
import { listProcesses, pageProcesses, showProcess, type ProcessPageFilter } from '../ledger/process-queries.js';
import { processesAhead } from '../ledger/process-store.js';
import { sumUsage, type UsageGroupBy } from '../ledger/usage-queries.js';
import { JOB_COUNT, jobIdOf, triggeredByValues, YEAR_SECONDS } from './ledger-fill.js';
import { latencyOf, seededRandom, type Latency } from './latency.js';

export interface QueryFigures extends Latency {
  name: string;
  /** What it asks, as the API or CLI would. */
  asks: string;
  /** Rows in an answer, on average. */
  meanRows: number;
}

interface Timed {
  rows: number;
  ms: number;
}

interface QueryCase {
  name: string;
  asks: string;
  /** The i-th question; resolves to the rows it answered, and the time to count when not the whole call's. */
  ask: (i: number) => Promise<number | Timed>;
}

export interface QueryContext {
  db: Ledger;
  end: Date;
  samples: number;
  /** Said once a query is measured. */
  say: (line: string) => void;
  /** Each query's SQL is shown with its plan (EXPLAIN ANALYZE) on stderr. */
  explain?: (name: string, ask: () => Promise<unknown>) => Promise<void>;
}

const DAY_MS = 86_400_000;

/** The cases, each with its own seeded arguments. */
export async function queryCases(c: QueryContext): Promise<QueryCase[]> {
  const random = seededRandom(22);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const ids = await sampleIds(c.db, c.samples);
  const jobs = Array.from({ length: JOB_COUNT }, (_, i) => jobIdOf(i));
  const who = triggeredByValues();
  const yearStart = c.end.getTime() - YEAR_SECONDS * 1000;
  // A whole UTC day or 30 days, anywhere in the year.
  const dayAt = () => new Date(Math.floor((yearStart + random() * (YEAR_SECONDS * 1000 - DAY_MS)) / DAY_MS) * DAY_MS);
  const monthAt = () => new Date(Math.floor((yearStart + random() * (YEAR_SECONDS * 1000 - 30 * DAY_MS)) / DAY_MS) * DAY_MS);
  const page = async (filter: ProcessPageFilter) => (await pageProcesses(c.db, filter)).items.length;
  // The second page is timed alone: the first page it needs is not part of its figure.
  const secondPage = async (filter: ProcessPageFilter): Promise<Timed> => {
    const first = await pageProcesses(c.db, filter);
    const started = performance.now();
    const next = first.next ? await pageProcesses(c.db, { ...filter, after: first.next }) : { items: [] };
    return { rows: next.items.length, ms: performance.now() - started };
  };
  const usage = (groupBy: UsageGroupBy) => async () => {
    const from = monthAt();
    return (await sumUsage(c.db, { from, to: new Date(from.getTime() + 30 * DAY_MS), groupBy })).length;
  };
  // From and to at any time of day: the whole days from the rollup, the two partial ones from the processes.
  const raggedUsage = async () => {
    const from = new Date(monthAt().getTime() + Math.floor(random() * DAY_MS));
    return (await sumUsage(c.db, { from, to: new Date(from.getTime() + 30 * DAY_MS), groupBy: 'job' })).length;
  };
  const cases: QueryCase[] = [
    { name: 'by id', asks: 'GET /v1/processes/{id}, drover process show', ask: async (i) => (await showProcess(c.db, ids[i % ids.length]!)).tasks!.length + 1 },
    { name: 'newest 50', asks: 'GET /v1/processes', ask: () => page({}) },
    { name: 'newest 50 of a job', asks: 'GET /v1/processes?jobId=', ask: () => page({ jobId: pick(jobs) }) },
    { name: 'newest 50 of a job (CLI)', asks: 'drover process list --job', ask: async () => (await listProcesses(c.db, { jobId: pick(jobs), limit: 50 })).length },
    { name: 'status FAILED', asks: 'GET /v1/processes?status=FAILED', ask: () => page({ status: 'FAILED' }) },
    { name: 'status RUNNING', asks: 'GET /v1/processes?status=RUNNING', ask: () => page({ status: 'RUNNING' }) },
    { name: 'job and status FAILED', asks: 'GET /v1/processes?jobId=&status=FAILED', ask: () => page({ jobId: pick(jobs), status: 'FAILED' }) },
    { name: 'by triggeredBy', asks: 'GET /v1/processes?triggeredBy=', ask: () => page({ triggeredBy: pick(who) }) },
    { name: 'a day', asks: 'GET /v1/processes?since=&until= (24 h)', ask: () => dayRange(page, dayAt(), DAY_MS) },
    { name: 'a month', asks: 'GET /v1/processes?since=&until= (30 days)', ask: () => dayRange(page, monthAt(), 30 * DAY_MS) },
    { name: 'a job\'s month', asks: 'GET /v1/processes?jobId=&since=&until= (30 days)', ask: () => dayRange((f) => page({ ...f, jobId: pick(jobs) }), monthAt(), 30 * DAY_MS) },
    { name: 'usage by job, a month', asks: 'GET /v1/usage?groupBy=job', ask: usage('job') },
    { name: 'usage by day, a month', asks: 'GET /v1/usage?groupBy=day', ask: usage('day') },
    { name: 'usage by triggeredBy, a month', asks: 'GET /v1/usage?groupBy=triggeredBy', ask: usage('triggeredBy') },
    { name: 'second page', asks: 'GET /v1/processes?cursor=', ask: () => secondPage({}) },
    { name: 'second page of a job', asks: 'GET /v1/processes?jobId=&cursor=', ask: () => secondPage({ jobId: pick(jobs) }) },
    { name: 'second page of a triggeredBy', asks: 'GET /v1/processes?triggeredBy=&cursor=', ask: () => secondPage({ triggeredBy: pick(who) }) },
    { name: 'slot check of a job', asks: 'a process waiting for its job\'s concurrency slot (worker)', ask: async () => (await processesAhead(c.db, pick(jobs), 'none')).length },
    // Last, so every case above draws the same arguments as before it was added.
    { name: 'usage by job, a month not from midnight', asks: 'GET /v1/usage?groupBy=job&from=…T13:37:00Z', ask: raggedUsage },
  ];
  return cases;
}

const dayRange = (page: (f: ProcessPageFilter) => Promise<number>, since: Date, ms: number) => page({ since, until: new Date(since.getTime() + ms) });

/** Random process ids, as many as there are samples. */
async function sampleIds(db: Ledger, samples: number): Promise<string[]> {
  const { rows } = await sql<{ process_id: string }>`select process_id from processes order by random() limit ${samples}`.execute(db);
  return rows.map((r) => r.process_id);
}

/** Asks each case `samples` times (after 3 unmeasured warm-ups) and says how long it took. */
export async function measureQueries(c: QueryContext): Promise<QueryFigures[]> {
  const figures: QueryFigures[] = [];
  for (const q of await queryCases(c)) {
    if (c.explain) await c.explain(q.name, () => q.ask(0));
    for (let i = 0; i < 3; i++) await q.ask(i);
    const timings: number[] = [];
    let rows = 0;
    for (let i = 0; i < c.samples; i++) {
      const started = performance.now();
      const answer = await q.ask(i);
      const ms = performance.now() - started;
      rows += typeof answer === 'number' ? answer : answer.rows;
      timings.push(typeof answer === 'number' ? ms : answer.ms);
    }
    const latency = latencyOf(timings);
    figures.push({ name: q.name, asks: q.asks, ...latency, meanRows: Math.round((rows / c.samples) * 10) / 10 });
    c.say(`${q.name}: p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms`);
  }
  return figures;
}
