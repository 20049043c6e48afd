/** A process as a person reads it: a header, a table of its tasks, and one line of a list. */
import type { PricedProcess } from '../control/usage.js';
import type { ProcessView, TaskView } from '../ledger/process-store.js';
import { table } from './text-table.js';

/** `1m 5s`, `3.2s`: long enough to tell a hung task from a slow one. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : `${m}m ${s % 60}s`;
}

function taskDuration(t: TaskView, now: number): string {
  if (!t.startedAt) return '-';
  const start = Date.parse(t.startedAt);
  return t.finishedAt ? duration(Date.parse(t.finishedAt) - start) : `${duration(now - start)}…`;
}

export function taskTable(tasks: readonly TaskView[], now = Date.now()): string[] {
  const rows = tasks.map((t) => [t.name, t.status, String(t.attempts), t.exitCode === null ? '-' : String(t.exitCode), taskDuration(t, now), t.reason ?? '']);
  return table([['TASK', 'STATUS', 'ATTEMPTS', 'EXIT', 'DURATION', 'REASON'], ...rows]);
}

/** What `drover process show` prints. */
export function describeProcess(p: PricedProcess, uiLink: string): string {
  const fields: Array<[string, string]> = [
    ['process', p.processId],
    ['job', `${p.jobId}@${p.version}`],
    ['status', p.status],
    ['attempt', String(p.attempt)],
    ['triggered by', p.triggeredBy],
    ['started', p.startedAt ?? '-'],
    ['finished', p.finishedAt ?? '-'],
  ];
  if (p.failedTask) fields.push(['failed task', p.failedTask]);
  if (p.reason) fields.push(['reason', p.reason]);
  fields.push(['usage', `${p.usage.vcpuSeconds} vCPU-s, ${p.usage.gibSeconds} GiB-s, about $${p.usage.estimatedUsd}`], ['web ui', uiLink]);
  const header = fields.map(([name, value]) => `${name.padEnd(13)}${value}`);
  return [...header, '', ...taskTable(p.tasks ?? [])].join('\n');
}

/** One line of `drover process list`. */
export function processLine(p: ProcessView): string {
  const ended = p.finishedAt ? `finished ${p.finishedAt}` : `created ${p.createdAt}`;
  const failed = p.failedTask ? `  failed in ${p.failedTask}` : '';
  return `${p.processId}  ${p.status.padEnd(9)}  ${p.jobId}@${p.version}  attempt ${p.attempt}  ${ended}${failed}`;
}
