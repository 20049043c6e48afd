/** `drover schedule ...`: cron schedules of catalog jobs, on Temporal Schedules (control/schedules.ts). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { JobParametersError } from '../catalog/job-definition.js';
import { ScheduleInvalidError } from '../catalog/schedule-definition.js';
import type { ScheduleDocument } from '../catalog/schedule-schema.js';
import { jobParameterSchema } from '../control/fire-process.js';
import { ScheduleBackfillError } from '../control/schedule-errors.js';
import { backfillSchedule, triggerSchedule } from '../control/schedule-runs.js';
import { createSchedule, deleteSchedule, describeSchedule, listSchedules, updateSchedule, type ScheduleView } from '../control/schedules.js';
import { pricedProcess } from '../control/usage.js';
import { action, badUsageExitsTwo, CliInputError, inputRefused } from './bad-input.js';
import { controlDeps, withSession, type LedgerSession } from './ledger-session.js';
import { collect, processParameters } from './params.js';
import { processLine } from './process-table.js';
import { table } from './text-table.js';

/** A schedule refused (its document, a change, a backfill's range, overridden parameters) is bad input: exit 2 with each field. */
async function refusedAsInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ScheduleInvalidError) throw inputRefused('schedule refused:', err.problems);
    if (err instanceof ScheduleBackfillError) throw inputRefused('backfill refused:', err.problems);
    if (err instanceof JobParametersError) throw inputRefused('parameters refused by the job:', err.problems.map((p) => ({ ...p, path: `/parameters${p.path === '/' ? '' : p.path}` })));
    throw err;
  }
}

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliInputError(`${file}: cannot be read (${(cause as Error).message})`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CliInputError(`${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

function time(option: string, text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new CliInputError(`${option} ${JSON.stringify(text)} is not a time: give one like 2026-03-08T00:00:00Z`);
  return at;
}

const when = (s: Pick<ScheduleDocument, 'cron' | 'timezone'>) => `${s.cron} (${s.timezone})`;

/** What `drover schedule show` prints. */
function describe(view: ScheduleView): string {
  const fields: Array<[string, string]> = [
    ['schedule', view.id],
    ['job', view.jobId],
    ['cron', when(view)],
    ['parameters', JSON.stringify(view.parameters)],
    ['overlap', view.overlap],
    ['catch-up', `${view.catchupWindowSeconds} s`],
    ['state', view.paused ? `paused${view.note ? `: ${view.note}` : ''}` : `active${view.note ? ` (${view.note})` : ''}`],
    ['runs', `${view.actions.taken} started, ${view.actions.skippedOverlap} skipped (overlap), ${view.actions.missedCatchupWindow} missed (catch-up window)`],
  ];
  const lines = fields.map(([name, value]) => `${name.padEnd(12)}${value}`);
  lines.push('', `next runs${view.paused ? ' (skipped while paused)' : ''}`, ...view.nextRunTimes.map((t) => `  ${t}`));
  lines.push('', 'latest processes', ...(view.recentProcesses.length > 0 ? view.recentProcesses.map((p) => `  ${processLine(p)}`) : ['  none yet']));
  return lines.join('\n');
}

/** Runs `work` with the session's control deps. */
function withDeps<T>(work: (deps: ReturnType<typeof controlDeps>, session: LedgerSession) => Promise<T>): Promise<T> {
  return withSession((session) => work(controlDeps(session), session));
}

export function addScheduleCommands(program: Command): void {
  const group = badUsageExitsTwo(program.command('schedule').description('cron schedules of catalog jobs, on Temporal Schedules'));

  group
    .command('create')
    .description('create a schedule from its JSON document: {"id","jobId","cron","timezone","parameters","overlap","catchupWindowSeconds","paused","note"}')
    .argument('<file>', 'the schedule document')
    .option('--json', 'print the schedule, its defaults filled')
    .action(
      action(async (file: string, opts: { json?: boolean }) => {
        const document = readDocument(file);
        await withDeps(async (deps) => {
          const doc = await refusedAsInput(() => createSchedule(deps, document));
          console.log(opts.json ? JSON.stringify(doc) : `schedule ${doc.id} fires ${doc.jobId} at ${when(doc)}${doc.paused ? ', paused' : ''}`);
        });
      }),
    );

  group
    .command('list')
    .description('the schedules, by id')
    .option('--job <id>', 'only the schedules of this job')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (opts: { job?: string; json?: boolean }) => {
        await withDeps(async (deps) => {
          const schedules = await listSchedules(deps, opts.job === undefined ? {} : { jobId: opts.job });
          if (opts.json) for (const s of schedules) console.log(JSON.stringify(s));
          else {
            const rows = schedules.map((s) => [s.id, s.jobId, s.cron, s.timezone, s.overlap, s.paused ? 'paused' : 'active', s.note]);
            for (const line of table([['SCHEDULE', 'JOB', 'CRON', 'TIMEZONE', 'OVERLAP', 'STATE', 'NOTE'], ...rows])) console.log(line);
          }
        });
      }),
    );

  group
    .command('show')
    .description('a schedule, its next 5 run times and its latest 10 processes')
    .argument('<id>', 'schedule id')
    .option('--json', 'one JSON object, as GET /v1/schedules/{id}')
    .action(
      action(async (id: string, opts: { json?: boolean }) => {
        await withDeps(async (deps, session) => {
          const view = await describeSchedule(deps, id);
          const priced = { ...view, recentProcesses: view.recentProcesses.map((p) => pricedProcess(p, session.config.prices)) };
          console.log(opts.json ? JSON.stringify(priced) : describe(view));
        });
      }),
    );

  group
    .command('pause')
    .description('pause a schedule: no runs until unpaused (trigger and backfill still run)')
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'why, for whoever looks next', '')
    .option('--json', 'print the schedule')
    .action(
      action(async (id: string, opts: { note: string; json?: boolean }) => {
        await withDeps(async (deps) => {
          const doc = await refusedAsInput(() => updateSchedule(deps, id, { paused: true, note: opts.note }));
          console.log(opts.json ? JSON.stringify(doc) : `schedule ${id} paused${doc.note ? `: ${doc.note}` : ''}`);
        });
      }),
    );

  group
    .command('unpause')
    .description('unpause a schedule: it runs at its next time (missed ones are not made up)')
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'a note to keep (default: none)', '')
    .option('--json', 'print the schedule')
    .action(
      action(async (id: string, opts: { note: string; json?: boolean }) => {
        await withDeps(async (deps) => {
          const doc = await refusedAsInput(() => updateSchedule(deps, id, { paused: false, note: opts.note }));
          console.log(opts.json ? JSON.stringify(doc) : `schedule ${id} unpaused`);
        });
      }),
    );

  group
    .command('trigger')
    .description('a run now, paused or not; --param overrides the schedule\'s parameters for this run')
    .argument('<id>', 'schedule id')
    .option('--param <key=value>', 'a parameter over the schedule\'s, typed by the job\'s schema (repeatable)', collect, [])
    .option('--params-file <file>', 'a JSON object of parameters over the schedule\'s, under any --param')
    .option('--json', 'print {"processId","startedBy"}')
    .action(
      action(async (id: string, opts: { param: string[]; paramsFile?: string; json?: boolean }) => {
        await withDeps(async (deps) => {
          let parameters: Record<string, unknown> | undefined;
          if (opts.param.length > 0 || opts.paramsFile) {
            const { jobId } = await describeSchedule(deps, id);
            parameters = processParameters(await jobParameterSchema(deps.db, jobId), { params: opts.param, ...(opts.paramsFile ? { paramsFile: opts.paramsFile } : {}) });
          }
          const result = await refusedAsInput(() => triggerSchedule(deps, id, parameters === undefined ? {} : { parameters }));
          console.log(opts.json ? JSON.stringify(result) : `triggered ${id}: ${result.processId ?? 'its process has not been named yet (drover schedule show ' + id + ')'}`);
        });
      }),
    );

  group
    .command('backfill')
    .description('the runs the schedule would have made from --start to --end (both included), made now under its overlap policy')
    .argument('<id>', 'schedule id')
    .requiredOption('--start <time>', 'ISO 8601, e.g. 2026-03-01T00:00:00Z')
    .requiredOption('--end <time>', 'ISO 8601, in the past')
    .option('--json', 'print {"runs"}')
    .action(
      action(async (id: string, opts: { start: string; end: string; json?: boolean }) => {
        const range = { start: time('--start', opts.start), end: time('--end', opts.end) };
        await withDeps(async (deps) => {
          const result = await refusedAsInput(() => backfillSchedule(deps, id, range));
          console.log(opts.json ? JSON.stringify(result) : `backfilling ${result.runs} run${result.runs === 1 ? '' : 's'} of ${id}`);
        });
      }),
    );

  group
    .command('delete')
    .description('delete a schedule; its processes stay, and one running now runs on')
    .argument('<id>', 'schedule id')
    .action(
      action(async (id: string) => {
        await withDeps(async (deps) => {
          await deleteSchedule(deps, id);
          console.log(`deleted schedule ${id}`);
        });
      }),
    );
}
