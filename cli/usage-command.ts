/** `drover usage`: what processes used and are estimated to cost, summed by job, day or who started them, as GET /v1/usage. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS, usageReport, UsageRangeError, usageTime, type UsageReport } from '../control/usage.js';
import type { UsageGroupBy } from '../ledger/usage-queries.js';
import { action, badUsageExitsTwo, CliInputError } from './bad-input.js';
import { withSession } from './ledger-session.js';
import { table } from './text-table.js';

const GROUPS: Record<string, UsageGroupBy> = { job: 'job', day: 'day', 'triggered-by': 'triggeredBy' };

function when(name: string): (text: string) => Date {
  return (text) => {
    try {
      return usageTime(name, text);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

const usd = (n: number): string => `$${n.toFixed(6)}`;

/** The table `drover usage` prints: a row a key, then the total. */
export function usageTable(report: UsageReport): string[] {
  const line = (key: string, r: UsageReport['total']) => [key, String(r.processes), String(r.vcpuSeconds), String(r.gibSeconds), usd(r.estimatedUsd)];
  const head = [`processes created from ${report.from} to ${report.to} (excluded), at $${report.prices.vcpuHour} a vCPU-hour and $${report.prices.gibHour} a GiB-hour`, ''];
  return [...head, ...table([[report.groupBy.toUpperCase(), 'PROCESSES', 'VCPU-S', 'GIB-S', 'EST. USD'], ...report.rows.map((r) => line(r.key, r)), line('total', report.total)])];
}

export function addUsageCommand(program: Command): void {
  badUsageExitsTwo(program.command('usage'))
    .description('what processes used and are estimated to cost (DROVER_PRICE_VCPU_HOUR, DROVER_PRICE_GIB_HOUR), summed over those created in [from, to)')
    .option('--from <date>', `the start, included: 2026-03-01 (UTC) or a date-time; default ${DEFAULT_USAGE_DAYS} days before --to`, when('--from'))
    .option('--to <date>', `the end, excluded; default now; at most ${MAX_USAGE_DAYS} days after --from`, when('--to'))
    .addOption(new Option('--group-by <key>', 'sum by').choices(Object.keys(GROUPS)).default('job'))
    .option('--job <id>', 'only this job\'s processes')
    .option('--json', 'one JSON object, as GET /v1/usage')
    .action(
      action(async (opts: { from?: Date; to?: Date; groupBy: string; job?: string; json?: boolean }) => {
        await withSession(async (s) => {
          let report: UsageReport;
          try {
            report = await usageReport(
              { db: s.ledger(), prices: s.config.prices },
              { groupBy: GROUPS[opts.groupBy]!, ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}), ...(opts.job !== undefined ? { jobId: opts.job } : {}) },
            );
          } catch (err) {
            // A range the options make but cannot be summed (backwards, too long) is bad input: exit 2.
            if (err instanceof UsageRangeError) throw new CliInputError(err.message);
            throw err;
          }
          console.log(opts.json ? JSON.stringify(report) : usageTable(report).join('\n'));
        });
      }),
    );
}
