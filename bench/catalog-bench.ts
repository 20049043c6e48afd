/**
 * The catalog benchmark: N processes of a job of S steps, each `sleep T` on 1 vCPU, fired
 * through the REST API as a burst onto a Batch executor of C vCPUs, and followed to the end.
 *   npm run bench -- catalog --processes 1000 --concurrency 250 --steps 2 --step-seconds 5
 *   npm run bench -- catalog --sizes 100,500,1000 --concurrency 250
 * Progress goes to stderr; stdout gets a Markdown table, then one JSON line: the run's figures,
 * or with --sizes `{"sizes": [...], "runs": [figures...]}`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { readSettings } from '../config/load-config.js';
import { runCatalogOnce, type CatalogFigures } from './catalog-run.js';
import { sizes, whole } from './cli-args.js';

interface Column {
  head: string;
  value: (f: CatalogFigures) => number | string;
}

const COLUMNS: Column[] = [
  { head: 'processes', value: (f) => f.processes },
  { head: 'succeeded', value: (f) => f.statuses.SUCCEEDED ?? 0 },
  { head: 'wall s', value: (f) => f.wallSeconds.toFixed(1) },
  { head: 'ideal s', value: (f) => f.idealSeconds.toFixed(1) },
  { head: '×ideal', value: (f) => f.ratioToIdeal.toFixed(2) },
  { head: '×floor', value: (f) => f.ratioToFloor.toFixed(2) },
  { head: 'fire ms p50/p99', value: (f) => `${f.fireLatencyMs.p50}/${f.fireLatencyMs.p99}` },
  { head: 'slot→task s p50/p95', value: (f) => `${f.slotToFirstTaskSeconds.p50}/${f.slotToFirstTaskSeconds.p95}` },
  { head: 'fire→task (unqueued) s p95', value: (f) => f.fireToFirstTaskUnqueuedSeconds.p95 },
  { head: 'between steps s p50/p95', value: (f) => `${f.betweenStepsSeconds.p50}/${f.betweenStepsSeconds.p95}` },
  { head: 'handover s p95', value: (f) => f.slotHandoverSeconds.p95 },
  { head: 'GET process ms p50/p99', value: (f) => `${f.getProcessMs.p50}/${f.getProcessMs.p99}` },
  { head: 'GET RUNNING ms p50/p99', value: (f) => `${f.listRunningMs.p50}/${f.listRunningMs.p99}` },
  { head: 'peak running', value: (f) => f.peakRunning },
  { head: 'worker MB', value: (f) => f.peakMemoryMb.worker },
  { head: 'API MB', value: (f) => f.peakMemoryMb.api },
  { head: 'PostgreSQL MB', value: (f) => f.peakMemoryMb.postgres },
  { head: 'history events', value: (f) => f.historyEvents.mean },
  { head: 'DescribeJobs /min peak', value: (f) => f.batchCalls.perMinutePeak.DescribeJobs ?? 0 },
  { head: 'SubmitJob /min peak', value: (f) => f.batchCalls.perMinutePeak.SubmitJob ?? 0 },
  { head: 'ledger rows /process', value: (f) => (f.ledgerRowsPerProcess.total.inserted + f.ledgerRowsPerProcess.total.updated + f.ledgerRowsPerProcess.total.deleted).toFixed(1) },
];

export function formatCatalogTable(runs: CatalogFigures[]): string {
  const rows = runs.map((f) => COLUMNS.map((c) => String(c.value(f))));
  return [`| ${COLUMNS.map((c) => c.head).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('drover-bench catalog')
    .description('Fires N processes of a sleeping job through the REST API and follows them to the end, with the shipped defaults.')
    .addOption(new Option('--processes <n>', 'processes to fire').default(1000).argParser(whole(1)))
    .addOption(new Option('--concurrency <c>', "vCPUs of the Batch executor (DROVER_BATCH_VCPUS) and the job's maxConcurrentProcesses").default(250).argParser(whole(1)))
    .addOption(new Option('--steps <s>', 'steps of the job').default(2).argParser(whole(1)))
    .addOption(new Option('--step-seconds <t>', 'each step runs `sleep T`').default(5).argParser(whole(0)))
    .addOption(new Option('--fire-concurrency <k>', 'requests the bench keeps in flight while firing').default(32).argParser(whole(1)))
    .addOption(new Option('--sizes <list>', 'comma-separated process counts: one run each (overrides --processes)').argParser(sizes))
    .option('--verbose', "echo the stack's own lines on stderr", false)
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  const flags = program.opts<{ processes: number; concurrency: number; steps: number; stepSeconds: number; fireConcurrency: number; sizes?: number[]; verbose: boolean }>();

  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const list = flags.sizes ?? [flags.processes];
  // The executor's vCPUs are the bench's subject. The API's rate limit (600 requests a minute a
  // key) would spread a burst of 1,000 over two minutes: raised so the burst is one, and named.
  const settings = { DROVER_BATCH_VCPUS: String(flags.concurrency), DROVER_API_RATE_PER_MINUTE: String(Math.max(600, 3 * Math.max(...list) + 600)) };
  readSettings(settings);
  say(`settings changed from the shipped defaults: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const runs: CatalogFigures[] = [];
  for (const processes of list) {
    say(`${processes} processes × ${flags.steps} steps of sleep ${flags.stepSeconds} s on ${flags.concurrency} vCPUs`);
    runs.push(await runCatalogOnce({ root, processes, concurrency: flags.concurrency, steps: flags.steps, stepSeconds: flags.stepSeconds, fireConcurrency: flags.fireConcurrency, settings, say, verbose: flags.verbose }));
  }
  console.log(formatCatalogTable(runs));
  console.log(JSON.stringify(flags.sizes ? { sizes: list, runs } : runs[0]));
}
