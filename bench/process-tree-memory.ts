/**
 * Memory of a process and its descendants, from /proc. PostgreSQL is a tree of processes
 * sharing its buffers: their RSS summed counts the shared pages once per process, so the
 * tree is measured by Pss (each shared page split among those mapping it), which adds up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parentOf } from './proc-rss.js';

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pids of `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Proportional set size of `root` and its descendants, in KiB. */
export function treePssKb(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + pssKb(pid), 0);
}

/** Samples the trees of `roots` every `periodMs` until stopped; stop() gives each one's peak in MB. */
export function samplePeakMemory(roots: Record<string, number>, periodMs = 1000): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(roots).map((name) => [name, 0]));
  const tick = () => {
    for (const [name, pid] of Object.entries(roots)) peaks[name] = Math.max(peaks[name]!, treePssKb(pid));
  };
  tick();
  const timer = setInterval(tick, periodMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return Object.fromEntries(Object.entries(peaks).map(([name, kb]) => [name, Math.round(kb / 1024)]));
    },
  };
}
