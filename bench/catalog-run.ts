/**
 * One run of the catalog benchmark: a fresh stack, a job of S steps each `sleep T` needing
 * 1 vCPU, N processes fired through the REST API as a burst (an Idempotency-Key each), and
 * every figure the issue names, read from the API's answers, the ledger, Temporal's
 * histories, the Batch executor's call counts and /proc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import cliProgress from 'cli-progress';
import { Agent, request } from 'undici';
import { openLedger, type Ledger } from '../ledger/connect.js';
import { startStack, type RunningStack } from '../stack/stack.js';
import { BenchError } from './errors.js';
import { spread, type Spread } from './percentiles.js';
import { cpuDelta, cpuSnapshot } from './proc-cpu.js';
import { vmHwmKb } from './proc-rss.js';
import { samplePeakMemory } from './process-tree-memory.js';
import { stackEnv } from './run-once.js';
import { batchCallFigures, type BatchCallFigures } from './batch-calls.js';
import { ledgerWrites, type TableWrites } from './ledger-writes.js';
import { peakOverlap } from './peak-overlap.js';

export const BENCH_JOB_ID = 'bench-sleep';

export interface CatalogRunOptions {
  /** Repository root (dist/, .venv/). */
  root: string;
  processes: number;
  /** vCPUs of the Batch executor, and the job's maxConcurrentProcesses (each process runs one 1-vCPU step at a time). */
  concurrency: number;
  steps: number;
  stepSeconds: number;
  /** Requests the bench keeps in flight while firing. */
  fireConcurrency: number;
  /** The drover settings the bench changed; every other one has its shipped default. */
  settings: Record<string, string>;
  say: (line: string) => void;
  verbose: boolean;
}

export interface CatalogFigures {
  processes: number;
  concurrency: number;
  steps: number;
  stepSeconds: number;
  settings: Record<string, string>;
  /** Final statuses, and what was lost (fired, never in the ledger) or duplicated (two processes for one key). */
  statuses: Record<string, number>;
  lost: number;
  duplicated: number;
  /** From the first fire to the last process's end. */
  wallSeconds: number;
  /** N × S × T ÷ C. */
  idealSeconds: number;
  ratioToIdeal: number;
  /** The least a run can take: the ideal, or one process's S × T when fewer than C processes run. */
  floorSeconds: number;
  ratioToFloor: number;
  /** Seconds from the first fire's start to the last fire's answer. */
  fireSeconds: number;
  /** The API's answer to POST /v1/processes, ms. */
  fireLatencyMs: Spread;
  /** Fire → first task RUNNING (its Batch job started), s: every process, queueing included. */
  fireToFirstTaskSeconds: Spread;
  /** The same for the processes that took their slot before any process had ended (no wait in the job's queue): drover's own overhead. */
  fireToFirstTaskUnqueuedSeconds: Spread;
  /** Slot taken (process RUNNING) → first task RUNNING, s: every process. */
  slotToFirstTaskSeconds: Spread;
  /** One task's end → the next task's start, s. */
  betweenStepsSeconds: Spread;
  /** One process's end → the next queued process's start (its slot handed on), s. */
  slotHandoverSeconds: Spread;
  /** GET /v1/processes/{id} and GET /v1/processes?status=RUNNING during the run, ms. */
  getProcessMs: Spread;
  listRunningMs: Spread;
  peakRunning: number;
  /** Peak memory, MB: the worker's and the API's VmHWM, PostgreSQL's processes' Pss summed. */
  peakMemoryMb: { worker: number; api: number; postgres: number };
  /** Temporal history events of a sample of processes. */
  historyEvents: { sampled: number; mean: number; max: number };
  batchCalls: BatchCallFigures;
  /** Rows inserted, updated and deleted in the ledger per process, by table (PostgreSQL's own counters). */
  ledgerRowsPerProcess: Record<string, TableWrites> & { total: TableWrites };
  /** CPU seconds of each stack process over the run; `children` is every Batch job's process together. */
  cpuSeconds: Record<string, number>;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Fired {
  key: string;
  processId: string;
  startedAt: number;
  latencyMs: number;
}

/** Sends `count` POST /v1/processes with `inFlight` at once; each keeps its Idempotency-Key, and a 429 or 5xx is sent again with it. */
async function fireAll(api: { url: string; key: string }, agent: Agent, count: number, inFlight: number, onFired: () => void): Promise<Fired[]> {
  const fired: Fired[] = [];
  let next = 0;
  const body = JSON.stringify({ jobId: BENCH_JOB_ID });
  const one = async (key: string): Promise<Fired> => {
    for (let tries = 1; ; tries++) {
      const startedAt = Date.now();
      const t0 = performance.now();
      const res = await request(`${api.url}/v1/processes`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json', 'idempotency-key': key },
        body,
      });
      const text = await res.body.text();
      const latencyMs = performance.now() - t0;
      if (res.statusCode === 202) return { key, processId: (JSON.parse(text) as { processId: string }).processId, startedAt, latencyMs };
      if ((res.statusCode === 429 || res.statusCode >= 500) && tries < 10) {
        await sleep(Number(res.headers['retry-after'] ?? 1) * 1000);
        continue;
      }
      throw new BenchError(`POST /v1/processes answered ${res.statusCode}: ${text.slice(0, 300)}`, 'BENCH_RUN_FAILED');
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const i = next++;
        fired.push(await one(`bench-${i}`));
        onFired();
      }
    }),
  );
  return fired;
}

async function timedGet(api: { url: string; key: string }, agent: Agent, path: string): Promise<number> {
  const t0 = performance.now();
  const res = await request(`${api.url}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${api.key}` } });
  await res.body.text();
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new BenchError(`GET ${path} answered ${res.statusCode}`, 'BENCH_RUN_FAILED');
  return ms;
}

async function endedCount(db: Ledger): Promise<number> {
  const row = await db
    .selectFrom('processes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('job_id', '=', BENCH_JOB_ID)
    .where('status', 'in', ['SUCCEEDED', 'FAILED', 'CANCELLED'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function jobDocument(o: Pick<CatalogRunOptions, 'concurrency' | 'steps' | 'stepSeconds'>) {
  return {
    id: BENCH_JOB_ID,
    name: 'Catalog benchmark: steps that sleep',
    maxConcurrentProcesses: o.concurrency,
    steps: Array.from({ length: o.steps }, (_, i) => ({ name: `sleep-${i + 1}`, command: ['sleep', String(o.stepSeconds)], vcpus: 1, memoryMiB: 128 })),
  };
}

async function putJob(api: { url: string; key: string }, agent: Agent, document: unknown): Promise<void> {
  const res = await request(`${api.url}/v1/jobs/${BENCH_JOB_ID}`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(document),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new BenchError(`PUT /v1/jobs/${BENCH_JOB_ID} answered ${res.statusCode}: ${text.slice(0, 300)}`, 'BENCH_RUN_FAILED');
}

async function historyEvents(stack: RunningStack, ids: string[]): Promise<CatalogFigures['historyEvents']> {
  const connection = await Connection.connect({ address: stack.file.temporal.address });
  try {
    const client = new Client({ connection, namespace: stack.file.temporal.namespace });
    const counts = await Promise.all(ids.map(async (id) => (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0));
    return { sampled: counts.length, mean: round(counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length), 1), max: Math.max(0, ...counts) };
  } finally {
    await connection.close();
  }
}

/** Every `i`-th id, `count` of them: a sample spread over the burst. */
function sampleOf<T>(items: T[], count: number): T[] {
  const step = Math.max(1, Math.floor(items.length / count));
  return items.filter((_, i) => i % step === 0).slice(0, count);
}

const seconds = (from: Date | number, to: Date | number) => (Number(to) - Number(from)) / 1000;

export async function runCatalogOnce(o: CatalogRunOptions): Promise<CatalogFigures> {
  const home = mkdtempSync(join(tmpdir(), 'drover-bench-catalog-'));
  const agent = new Agent({ connections: o.fireConcurrency + 4, pipelining: 1 });
  let stack: RunningStack | undefined;
  let db: Ledger | undefined;
  try {
    o.say('starting the embedded stack');
    stack = await startStack({ root: o.root, env: stackEnv(home, { latencyMs: 0, maintenanceSeconds: 0, settings: o.settings }), worker: true, say: o.verbose ? o.say : () => undefined });
    const api = stack.file.api;
    const databaseUrl = stack.file.database?.url;
    if (!api || !databaseUrl) throw new BenchError('the stack has no REST API or no database', 'BENCH_RUN_FAILED');
    db = openLedger(databaseUrl);
    const pid = (name: string) => {
      const p = stack!.services.get(name)?.pid;
      if (!p) throw new BenchError(`the stack has no ${name} process`, 'BENCH_RUN_FAILED');
      return p;
    };
    const pids = { worker: pid('worker'), api: pid('api'), postgres: pid('postgres'), batch: pid('batch') };
    await putJob(api, agent, jobDocument(o));

    const memory = samplePeakMemory({ postgres: pids.postgres });
    const cpuPids = new Map([...stack.services].flatMap(([name, service]) => (service.pid ? [[name, service.pid] as const] : [])));
    const cpuBefore = cpuSnapshot(cpuPids);
    const writesBefore = await ledgerWrites(db);
    const batchUrl = stack.file.batch.endpoint;

    const bar = new cliProgress.SingleBar(
      { format: 'bench: {phase} [{bar}] {value}/{total} processes', stream: process.stderr, hideCursor: false, clearOnComplete: true, noTTYOutput: true, notTTYSchedule: 5000 },
      cliProgress.Presets.shades_classic,
    );
    o.say(`firing ${o.processes} processes through the API, ${o.fireConcurrency} requests in flight`);
    bar.start(o.processes, 0, { phase: 'fired' });
    const t0 = Date.now();
    const firing = fireAll(api, agent, o.processes, o.fireConcurrency, () => bar.increment());

    // Readers sample the API while the run goes on, one request at a time: a person's view, not a load of its own.
    const getMs: number[] = [];
    const listMs: number[] = [];
    let done = false;
    let firedSoFar: Fired[] = [];
    const sampler = (async () => {
      for (let i = 0; !done; i++) {
        const ids = firedSoFar;
        if (ids.length > 0) {
          const id = ids[Math.floor(Math.random() * ids.length)]!.processId;
          getMs.push(await timedGet(api, agent, `/v1/processes/${id}`));
        }
        if (i % 2 === 0) listMs.push(await timedGet(api, agent, '/v1/processes?status=RUNNING'));
        await sleep(100);
      }
    })();

    const fired = await firing;
    firedSoFar = fired;
    const fireSeconds = seconds(t0, Date.now());
    bar.stop();
    o.say(`fired in ${fireSeconds.toFixed(1)} s; following them to the end`);
    const deadline = Date.now() + Math.max(600_000, 20_000 * ((o.processes * o.steps * o.stepSeconds) / o.concurrency));
    bar.start(o.processes, 0, { phase: 'ended' });
    for (;;) {
      const ended = await endedCount(db);
      bar.update(ended);
      if (ended >= o.processes) break;
      if (Date.now() > deadline) throw new BenchError(`${o.processes - ended} processes had not ended by the deadline`, 'BENCH_TIMEOUT');
      await sleep(250);
    }
    bar.stop();
    done = true;
    await sampler;
    const cpuAfter = cpuSnapshot(cpuPids);
    const peakPostgres = memory.stop().postgres ?? 0;

    o.say('reading the figures');
    const processes = await db
      .selectFrom('processes')
      .select(['process_id', 'status', 'created_at', 'started_at', 'finished_at'])
      .where('job_id', '=', BENCH_JOB_ID)
      .execute();
    const tasks = await db
      .selectFrom('tasks')
      .innerJoin('processes', 'processes.process_id', 'tasks.process_id')
      .select(['tasks.process_id', 'tasks.position', 'tasks.started_at', 'tasks.finished_at'])
      .where('processes.job_id', '=', BENCH_JOB_ID)
      .orderBy('tasks.process_id')
      .orderBy('tasks.position')
      .execute();
    const byProcess = new Map<string, typeof tasks>();
    for (const t of tasks) byProcess.set(t.process_id, [...(byProcess.get(t.process_id) ?? []), t]);

    const statuses: Record<string, number> = {};
    for (const p of processes) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
    const ledgerIds = new Set(processes.map((p) => p.process_id));
    const firedIds = new Set(fired.map((f) => f.processId));
    const lost = [...firedIds].filter((id) => !ledgerIds.has(id)).length;
    const duplicated = fired.length - firedIds.size + (processes.length - firedIds.size > 0 ? processes.length - firedIds.size : 0);

    const firedAt = new Map(fired.map((f) => [f.processId, f.startedAt]));
    const fireToFirst: number[] = [];
    const fireToFirstUnqueued: number[] = [];
    const slotToFirst: number[] = [];
    const between: number[] = [];
    // Unqueued: it took its slot before any process had ended, so it never waited for one to free.
    const firstEnd = Math.min(...processes.flatMap((p) => (p.finished_at ? [Number(p.finished_at)] : [])));
    for (const p of processes) {
      const own = byProcess.get(p.process_id) ?? [];
      const first = own[0]?.started_at;
      const at = firedAt.get(p.process_id);
      if (first && at !== undefined) {
        fireToFirst.push(seconds(at, first));
        if (p.started_at && Number(p.started_at) < firstEnd) fireToFirstUnqueued.push(seconds(at, first));
      }
      if (first && p.started_at) slotToFirst.push(seconds(p.started_at, first));
      for (let i = 1; i < own.length; i++) {
        const prev = own[i - 1]!.finished_at;
        const next = own[i]!.started_at;
        if (prev && next) between.push(seconds(prev, next));
      }
    }
    // A slot is handed on when a process ends and the oldest queued one starts: pair the k-th end with the (C+k)-th start.
    const starts = processes.flatMap((p) => (p.started_at ? [Number(p.started_at)] : [])).sort((a, b) => a - b);
    const ends = processes.flatMap((p) => (p.finished_at ? [Number(p.finished_at)] : [])).sort((a, b) => a - b);
    const handover: number[] = [];
    for (let k = 0; k + o.concurrency < starts.length && k < ends.length; k++) handover.push(Math.max(0, (starts[k + o.concurrency]! - ends[k]!) / 1000));
    const lastEnd = Math.max(...ends);
    const wallSeconds = seconds(t0, lastEnd);
    const idealSeconds = (o.processes * o.steps * o.stepSeconds) / o.concurrency;

    o.say('counting history events, Batch calls and ledger writes');
    const history = await historyEvents(stack, sampleOf(fired.map((f) => f.processId), 20));
    const batchCalls = await batchCallFigures(batchUrl);
    const writes = await ledgerWrites(db, writesBefore);
    const perProcess = (w: TableWrites): TableWrites => ({ inserted: round(w.inserted / o.processes, 2), updated: round(w.updated / o.processes, 2), deleted: round(w.deleted / o.processes, 2) });
    const ledgerRowsPerProcess = Object.fromEntries(Object.entries(writes).map(([table, w]) => [table, perProcess(w)])) as CatalogFigures['ledgerRowsPerProcess'];

    return {
      processes: o.processes,
      concurrency: o.concurrency,
      steps: o.steps,
      stepSeconds: o.stepSeconds,
      settings: o.settings,
      statuses,
      lost,
      duplicated,
      wallSeconds: round(wallSeconds),
      idealSeconds: round(idealSeconds),
      ratioToIdeal: round(wallSeconds / idealSeconds),
      floorSeconds: round(Math.max(idealSeconds, o.steps * o.stepSeconds)),
      ratioToFloor: round(wallSeconds / Math.max(idealSeconds, o.steps * o.stepSeconds)),
      fireSeconds: round(fireSeconds),
      fireLatencyMs: spread(fired.map((f) => f.latencyMs), 1),
      fireToFirstTaskSeconds: spread(fireToFirst),
      fireToFirstTaskUnqueuedSeconds: spread(fireToFirstUnqueued),
      slotToFirstTaskSeconds: spread(slotToFirst),
      betweenStepsSeconds: spread(between),
      slotHandoverSeconds: spread(handover),
      getProcessMs: spread(getMs, 1),
      listRunningMs: spread(listMs, 1),
      peakRunning: peakOverlap(processes.flatMap((p) => (p.started_at && p.finished_at ? [[Number(p.started_at), Number(p.finished_at)] as const] : []))),
      peakMemoryMb: { worker: Math.round((vmHwmKb(pids.worker) ?? 0) / 1024), api: Math.round((vmHwmKb(pids.api) ?? 0) / 1024), postgres: peakPostgres },
      historyEvents: history,
      batchCalls,
      ledgerRowsPerProcess,
      cpuSeconds: cpuDelta(cpuBefore, cpuAfter),
    };
  } finally {
    await db?.destroy();
    await stack?.stop();
    await agent.close();
    rmSync(home, { recursive: true, force: true });
  }
}
