/**
 * CPU seconds a process used, from /proc/<pid>/stat: its own (utime + stime) and that of
 * its exited, reaped children (cutime + cstime) — the Batch executor reaps every array
 * child, so the latter is what the children used.
 */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  self: number;
  reaped: number;
}

const TICKS_PER_SECOND = 100;

export function cpuTimes(pid: number): CpuTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ')' that closes the command name start at field 3 (state).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const at = (field: number) => f[field - 3] ?? 0;
    return { self: (at(14) + at(15)) / TICKS_PER_SECOND, reaped: (at(16) + at(17)) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU seconds each named process used between two snapshots; `children` is the executor's reaped children. */
export function cpuDelta(before: Map<string, CpuTimes>, after: Map<string, CpuTimes>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, a] of after) {
    const b = before.get(name) ?? { self: 0, reaped: 0 };
    out[name] = Math.round((a.self - b.self) * 100) / 100;
    if (name === 'batch') out.children = Math.round((a.reaped - b.reaped) * 100) / 100;
  }
  return out;
}

export function cpuSnapshot(pids: Map<string, number>): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const [name, pid] of pids) {
    const t = cpuTimes(pid);
    if (t) out.set(name, t);
  }
  return out;
}
