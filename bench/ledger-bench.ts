/**
 * The ledger at a year of history (issue 22): a PostgreSQL of its own, migrated as drover
 * migrates it, filled with a year of synthetic processes and tasks, then the API's and the
 * CLI's queries asked through drover's own functions and timed, and a month pruned as the
 * retention prunes it.
 *   npm run bench -- ledger --processes 1200000
 *   npm run bench -- ledger --sizes 100000,1200000 --samples 200
 *   npm run bench -- ledger --processes 100000 --explain   (each query's plan on stderr)
 * Progress goes to stderr; stdout gets a Markdown table, then one JSON line: the figures of
 * the run, or with --sizes `{"sizes": [...], "runs": [figures...]}`.
 */
import { loadavg } from 'node:os';
import { Command, Option } from 'commander';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Ledger } from '../ledger/connect.js';
import { migrateToLatest } from '../ledger/migrate.js';
import type { LedgerTables } from '../ledger/tables.js';
import { sizes, whole } from './cli-args.js';
import { fillJobs, fillYear } from './ledger-fill.js';
import { startBenchPostgres } from './ledger-postgres.js';
import { measurePrune, type PruneFigures } from './ledger-prune.js';
import { measureQueries, type QueryFigures } from './ledger-queries.js';
import { tableSizes, type TableSize } from './ledger-sizes.js';

export interface LedgerFigures {
  processes: number;
  tasksPerProcess: number;
  samples: number;
  /** Seconds: the fill, then VACUUM ANALYZE. */
  loadSeconds: number;
  vacuumAnalyzeSeconds: number;
  processesPerSecond: number;
  sizes: Record<string, TableSize>;
  queries: QueryFigures[];
  /** The slowest query's p99, against the goal of 50 ms. */
  worstP99Ms: number;
  /** The machine's 1-minute load average before and after the queries: other work on its 2 cores shows in the p99s. */
  loadAverage: { before: number; after: number };
  prune: PruneFigures | null;
}

interface Flags {
  processes: number;
  tasksPerProcess: number;
  samples: number;
  sizes?: number[];
  pruneDays: number;
  explain: boolean;
}

const say = (line: string) => process.stderr.write(`bench ledger: ${line}\n`);
const TABLES = ['processes', 'tasks', 'idempotency_keys'];

export async function main(argv: string[]): Promise<void> {
  const flags = new Command()
    .name('drover-bench ledger')
    .description('Fills a PostgreSQL of its own with a year of processes and times the queries the API and CLI ask of it.')
    .addOption(new Option('--processes <n>', 'processes over the year (100,000 a month at 1,200,000)').default(1_200_000).argParser(whole(1)))
    .addOption(new Option('--tasks-per-process <n>', 'tasks a process on average (each has one fewer to one more)').default(3).argParser(whole(1)))
    .addOption(new Option('--samples <n>', 'times each query is asked').default(200).argParser(whole(1)))
    .addOption(new Option('--sizes <list>', 'comma-separated process counts: one run each (overrides --processes)').argParser(sizes))
    .addOption(new Option('--prune-days <n>', 'then prune as DROVER_LEDGER_RETENTION_DAYS=n would (0: no prune; 335 prunes the oldest month)').default(335).argParser(whole(0)))
    .option('--explain', 'print each query\'s plan (EXPLAIN ANALYZE) on stderr', false)
    .showHelpAfterError()
    .parse(argv, { from: 'user' })
    .opts<Flags>();
  const runs: LedgerFigures[] = [];
  for (const processes of flags.sizes ?? [flags.processes]) runs.push(await runOnce({ ...flags, processes }));
  console.log(runs.map(formatRun).join('\n\n'));
  console.log(JSON.stringify(flags.sizes ? { sizes: flags.sizes, runs } : runs[0]));
}

async function runOnce(flags: Flags): Promise<LedgerFigures> {
  say(`${flags.processes} processes, ${flags.tasksPerProcess} tasks each on average, ${flags.samples} samples a query`);
  const server = await startBenchPostgres(say);
  // One pool; its log keeps the SQL of a query being explained.
  let capturing: CompiledQuery[] | undefined;
  // Counts come back as numbers, as ledger/connect.ts has them.
  pg.types.setTypeParser(pg.types.builtins.INT8, Number);
  const db: Ledger = new Kysely<LedgerTables>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.url, max: 10 }) }),
    log: (event) => void (event.level === 'query' && capturing?.push(event.query)),
  });
  try {
    say(`migrations applied: ${(await migrateToLatest(db)).join(', ')}`);
    // The year ends now, to the second, so the newest processes are the ones still running.
    const end = new Date(Math.floor(Date.now() / 1000) * 1000);
    const loading = performance.now();
    await fillJobs(db);
    await fillYear(db, { processes: flags.processes, tasksPerProcess: flags.tasksPerProcess, end, say });
    const loadSeconds = (performance.now() - loading) / 1000;
    // A ledger a year old has been vacuumed by autovacuum many times; one made in minutes has
    // not, so its visibility map and statistics are made here as autovacuum would have.
    const vacuuming = performance.now();
    await sql`vacuum (analyze) processes, tasks, idempotency_keys`.execute(db);
    const vacuumAnalyzeSeconds = (performance.now() - vacuuming) / 1000;
    say(`loaded in ${loadSeconds.toFixed(1)} s, vacuum analyze ${vacuumAnalyzeSeconds.toFixed(1)} s`);
    const sizesBefore = await tableSizes(db, TABLES);
    const explain = flags.explain
      ? async (name: string, ask: () => Promise<unknown>) => {
          capturing = [];
          await ask();
          const queries = capturing;
          capturing = undefined;
          for (const q of queries) {
            const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `explain (analyze, buffers) ${q.sql}` } as CompiledQuery<{ 'QUERY PLAN': string }>);
            say(`${name}:\n${q.sql}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
          }
        }
      : undefined;
    const loadBefore = loadavg()[0]!;
    const queries = await measureQueries({ db, end, samples: flags.samples, say, ...(explain ? { explain } : {}) });
    const loadAfter = loadavg()[0]!;
    const prune = flags.pruneDays > 0 ? await measurePrune(db, { days: flags.pruneDays, now: end, say }) : null;
    if (prune) say(`pruned ${prune.processes} processes in ${prune.batches} batches, ${prune.seconds} s, longest batch ${prune.batchMs.max} ms`);
    const r2 = (n: number) => Math.round(n * 100) / 100;
    return {
      processes: flags.processes,
      tasksPerProcess: flags.tasksPerProcess,
      samples: flags.samples,
      loadSeconds: r2(loadSeconds),
      vacuumAnalyzeSeconds: r2(vacuumAnalyzeSeconds),
      processesPerSecond: Math.round(flags.processes / loadSeconds),
      sizes: sizesBefore,
      queries,
      worstP99Ms: Math.max(...queries.map((q) => q.p99)),
      loadAverage: { before: r2(loadBefore), after: r2(loadAfter) },
      prune,
    };
  } finally {
    await db.destroy();
    await server.stop();
  }
}

function formatRun(f: LedgerFigures): string {
  const lines = [
    `**${f.processes.toLocaleString('en-US')} processes**, ${f.sizes.tasks!.rows.toLocaleString('en-US')} tasks: loaded in ${f.loadSeconds} s (${f.processesPerSecond.toLocaleString('en-US')} processes/s), vacuum analyze ${f.vacuumAnalyzeSeconds} s`,
    '',
    '| table | rows | table MB | indexes MB |',
    '|---|---:|---:|---|',
    ...Object.entries(f.sizes).map(([name, s]) => `| ${name} | ${s.rows.toLocaleString('en-US')} | ${s.tableMb} | ${Object.entries(s.indexesMb).map(([i, mb]) => `${i} ${mb}`).join(', ')} |`),
    '',
    `| query (${f.samples} samples; load average ${f.loadAverage.before} before, ${f.loadAverage.after} after) | asks | p50 ms | p95 ms | p99 ms | max ms | rows |`,
    '|---|---|---:|---:|---:|---:|---:|',
    ...f.queries.map((q) => `| ${q.name} | ${q.asks} | ${q.p50} | ${q.p95} | ${q.p99} | ${q.max} | ${q.meanRows} |`),
  ];
  if (f.prune) {
    const p = f.prune;
    lines.push(
      '',
      `Prune at ${p.days} days: ${p.processes.toLocaleString('en-US')} processes, ${p.tasks.toLocaleString('en-US')} tasks, ${p.idempotencyKeys.toLocaleString('en-US')} idempotency keys in ${p.batches} batches, ${p.seconds} s (${p.processesPerSecond.toLocaleString('en-US')} processes/s); ` +
        `a batch p50 ${p.batchMs.p50} ms, p99 ${p.batchMs.p99} ms, max ${p.batchMs.max} ms; reads meanwhile p50 ${p.readsDuringPrune.p50} ms, p99 ${p.readsDuringPrune.p99} ms, max ${p.readsDuringPrune.max} ms`,
    );
  }
  return lines.join('\n');
}
