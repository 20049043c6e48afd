/**
 * The benchmark: the whole credit check on the embedded stack against a latency-injecting
 * portal, next to a naive script doing the same lookups.
 *   npm run bench -- --records 2000 --latency 50 --concurrency 100
 *   npm run bench -- --sizes 1000,10000 --latency 1 --concurrency 100
 *   npm run bench -- --records 100000 --latency 1 --serial   (each stage alone)
 * Progress goes to stderr; stdout gets a Markdown table, then one JSON line: the figures of
 * the run, or with --sizes `{"sizes": [...], "runs": [figures...]}`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { planConcurrency } from './plan.js';
import { runOnce, type BenchFigures } from './run-once.js';
import { formatCpu, formatTable } from './table.js';

const program = new Command()
  .name('drover-bench')
  .description('Times the credit check from upload to email and compares it with a naive script.')
  .addOption(new Option('--records <n>', 'customers in the workbook').default(2000).argParser(whole(1)))
  .addOption(new Option('--latency <ms>', 'milliseconds the portal adds to every answer').default(50).argParser(whole(0)))
  .addOption(new Option('--concurrency <n>', 'requests in flight at the portal, across all children').default(100).argParser(whole(1)))
  .addOption(new Option('--sizes <list>', 'comma-separated record counts: one run each (overrides --records)').argParser(sizes))
  .option('--serial', 'DROVER_OVERLAP_STAGES=false: ingest, the scrape and the report one after another, so each stage\'s rows/s is its own', false)
  .addOption(new Option('--records-per-child <k>', 'DROVER_RECORDS_PER_CHILD (default: an even share, see bench/plan.ts)').argParser(whole(1)))
  .option('--verbose', "echo the stack's own lines on stderr", false)
  .showHelpAfterError();
program.parse();
const flags = program.opts<{ records: number; latency: number; concurrency: number; sizes?: number[]; recordsPerChild?: number; serial: boolean; verbose: boolean }>();

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const list = flags.sizes ?? [flags.records];
const runs: BenchFigures[] = [];
for (const records of list) {
  const plan = planConcurrency(records, flags.concurrency, flags.recordsPerChild);
  say(`${records} records, latency ${flags.latency} ms, concurrency ${flags.concurrency} = ${plan.children} children × ${plan.perChild}, ${plan.recordsPerChild} records per child, stages ${flags.serial ? 'serial' : 'overlapped'}`);
  runs.push(await runOnce({ root, records, latencyMs: flags.latency, concurrency: flags.concurrency, plan, overlapStages: !flags.serial, say, verbose: flags.verbose }));
}
console.log(formatTable(runs));
console.log(formatCpu(runs));
console.log(JSON.stringify(flags.sizes ? { sizes: list, runs } : runs[0]));

function whole(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

function sizes(value: string): number[] {
  const parsed = value.split(',').map((s) => whole(1)(s.trim()));
  if (parsed.length === 0) throw new InvalidArgumentError('expected at least one size');
  return parsed;
}
