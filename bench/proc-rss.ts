/**
 * Peak resident memory of the worker and of the Batch children, read from /proc: VmHWM is
 * the kernel's own high-water mark, so a sample only has to catch a child before it exits.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** VmHWM of one process in KiB, or undefined when it is gone (or not Linux). */
export function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The parent's pid, or undefined when the process is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export interface ChildRssSample {
  /** Children seen. */
  children: number;
  /** Largest VmHWM seen in any child, KiB (0 when none was caught). */
  peakKb: number;
  /** Epoch ms the first child was seen and the last one was last seen. */
  firstSeenMs?: number;
  lastSeenMs?: number;
}

export interface RssSamplerOptions {
  /** Pid of the Batch executor: children are its direct descendants. */
  executorPid: number;
  /** What a child's command line contains. Default 'dist/workers/child' (the bundle, or the unbundled entry). */
  marker?: string;
  /** Sampling period in ms. Default 200. */
  periodMs?: number;
}

/** Samples /proc until stopped; stop() returns what the children used. */
export function sampleChildRss(options: RssSamplerOptions): { stop(): ChildRssSample } {
  const { executorPid, marker = 'dist/workers/child', periodMs = 200 } = options;
  const known = new Set<number>();
  // Processes of someone else: never a child later (a child's parent is fixed at fork).
  const others = new Set<number>();
  const out: ChildRssSample = { children: 0, peakKb: 0 };
  const tick = () => {
    let pids: number[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    } catch {
      return;
    }
    const now = Date.now();
    for (const pid of pids) {
      if (others.has(pid)) continue;
      if (!known.has(pid)) {
        const parent = parentOf(pid);
        if (parent === undefined) continue;
        if (parent !== executorPid) {
          others.add(pid);
          continue;
        }
        let cmd: string;
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (!cmd.includes(marker)) continue;
        known.add(pid);
        out.children++;
        out.firstSeenMs ??= now;
      }
      const kb = vmHwmKb(pid);
      if (kb === undefined) continue;
      out.peakKb = Math.max(out.peakKb, kb);
      out.lastSeenMs = now;
    }
  };
  tick();
  const timer = setInterval(tick, periodMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { ...out };
    },
  };
}
