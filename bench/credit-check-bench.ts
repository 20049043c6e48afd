/**
 * The benchmark: the whole credit check on the embedded stack against a latency-injecting
 * portal, next to a polite naive script doing the same lookups. It runs with drover's shipped
 * defaults: only a flag changes a setting, and the bench names every setting it changed.
 *   npm run bench -- --records 5000 --latency 50 --concurrency 100
 *   npm run bench -- --records 5000 --latency 50 --concurrency 100 --maintenance 2
 *   npm run bench -- --sizes 1000,10000 --latency 1 --set DROVER_BATCH_VCPUS=2
 *   npm run bench -- --records 100000 --latency 1 --serial   (each stage alone)
 * Progress goes to stderr; stdout gets a Markdown table, then one JSON line: the figures of
 * the run, or with --sizes `{"sizes": [...], "runs": [figures...]}`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { sizes, whole } from './cli-args.js';
import { SETTINGS, type Setting } from '../config/settings.js';
import { readSettings } from '../config/load-config.js';
import { runOnce, SOURCE_SETTINGS, type BenchFigures } from './run-once.js';
import { formatCpu, formatTable } from './table.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('drover-bench')
    .description('Times the credit check from upload to email with the shipped defaults, and compares it with a polite naive script.')
    .addOption(new Option('--records <n>', 'customers in the workbook').default(2000).argParser(whole(1)))
    .addOption(new Option('--latency <ms>', 'milliseconds the portal adds to every answer').default(50).argParser(whole(0)))
    .addOption(new Option('--concurrency <n>', 'TAX_SOURCE_MAX_CONCURRENCY, and the naive script\'s requests in flight (default: the shipped default)').argParser(whole(1)))
    .addOption(new Option('--maintenance <s>', 'both portals are closed this many seconds of every 30 (from 2 s after their first lookup), answering 503 with Retry-After').default(0).argParser(whole(0)))
    .addOption(new Option('--sizes <list>', 'comma-separated record counts: one run each (overrides --records)').argParser(sizes))
    .option('--serial', 'DROVER_OVERLAP_STAGES=false: ingest, the scrape and the report one after another, so each stage\'s rows/s is its own', false)
    .addOption(new Option('--records-per-child <k>', 'DROVER_RECORDS_PER_CHILD (default: the fan-out plan\'s)').argParser(whole(1)))
    .addOption(new Option('--vcpus <n>', 'DROVER_BATCH_VCPUS: children the Batch executor runs at once').argParser(whole(1)))
    .addOption(new Option('--set <NAME=VALUE>', 'any other drover setting (repeatable)').argParser(setting).default({}))
    .option('--verbose', "echo the stack's own lines on stderr", false)
    .showHelpAfterError();
  program.parse(argv, { from: 'user' });
  const flags = program.opts<{
    records: number;
    latency: number;
    concurrency?: number;
    maintenance: number;
    sizes?: number[];
    serial: boolean;
    recordsPerChild?: number;
    vcpus?: number;
    set: Record<string, string>;
    verbose: boolean;
  }>();

  /** The drover settings the flags change; nothing else departs from the shipped defaults. */
  const settings: Record<string, string> = { ...flags.set };
  if (flags.concurrency !== undefined) settings.TAX_SOURCE_MAX_CONCURRENCY = String(flags.concurrency);
  if (flags.serial) settings.DROVER_OVERLAP_STAGES = 'false';
  if (flags.recordsPerChild !== undefined) settings.DROVER_RECORDS_PER_CHILD = String(flags.recordsPerChild);
  if (flags.vcpus !== undefined) settings.DROVER_BATCH_VCPUS = String(flags.vcpus);
  // Checked as the stack will read them: a bad value fails here, not in the middle of a run.
  const effective = readSettings(settings);
  const concurrency = effective.TAX_SOURCE_MAX_CONCURRENCY as number;

  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const changed = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ');
  say(`settings changed from the shipped defaults: ${changed || 'none'}`);
  say(`source: the demo portal, latency ${flags.latency} ms, no faults${flags.maintenance > 0 ? `, closed ${flags.maintenance} s of every 30 (503 with Retry-After)` : ''}; the naive script waits out Retry-After`);
  const list = flags.sizes ?? [flags.records];
  const runs: BenchFigures[] = [];
  for (const records of list) {
    say(`${records} records, budget ${concurrency} requests in flight, stages ${flags.serial ? 'serial' : 'overlapped'}`);
    runs.push(await runOnce({ root, records, latencyMs: flags.latency, concurrency, settings, maintenanceSeconds: flags.maintenance, say, verbose: flags.verbose }));
    const f = runs.at(-1)!;
    say(`fan-out plan: ${f.children} children at once × ${f.perChild} requests, ${f.recordsPerChild} records per child`);
  }
  console.log(formatTable(runs));
  console.log(formatCpu(runs));
  console.log(JSON.stringify(flags.sizes ? { sizes: list, runs } : runs[0]));
}

function setting(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([A-Z0-9_]+)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected NAME=VALUE');
  const [, name, text] = match as unknown as [string, string, string];
  if (!(SETTINGS as readonly Setting[]).some((s) => s.env === name)) throw new InvalidArgumentError(`${name} is not a drover setting`);
  if (SOURCE_SETTINGS.has(name)) throw new InvalidArgumentError(`${name} is the portal's: use --latency or --maintenance`);
  return { ...previous, [name]: text };
}
