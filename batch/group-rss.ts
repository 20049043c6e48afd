import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of whole process groups, read from /proc. Each pass is one readdir;
 * the `stat` file (which names a process's group) is read only for processes new since
 * the last pass and for members of a wanted group, and `status` (VmRSS) only for those
 * members. Reading every process's `stat` on each pass costs about 30 µs a process,
 * which on a machine with a few hundred processes would be most of the work.
 *
 * Threads are not listed in /proc's top level, so each process counts once. Pages
 * shared between processes of a group count once per process, as VmRSS does: the sum
 * can only overstate what a container's memory cgroup would charge.
 */
export class GroupRssReader {
  readonly #procDir: string;
  /**
   * The group of each process seen in the last pass. A pid the last pass saw could in
   * principle have been reused by a new process since; the kernel hands pids out in
   * rising order, so that needs pid_max (at least 32,768) processes started between two
   * passes. Callers pass often (MemoryWatch: every 250 ms) and start a fresh reader
   * after a pause.
   */
  #groupOf = new Map<number, number>();

  constructor(procDir = '/proc') {
    this.#procDir = procDir;
  }

  /** Bytes of resident memory of each wanted group that has a live process; a group with none is absent. */
  read(pgids: ReadonlySet<number>): Map<number, number> {
    const totals = new Map<number, number>();
    const seen = new Map<number, number>();
    for (const name of readdirSync(this.#procDir)) {
      const first = name.charCodeAt(0);
      if (first < 48 || first > 57) continue;
      const pid = Number(name);
      let pgid = this.#groupOf.get(pid);
      // A member is read afresh: it may have left for a group of its own (setsid, a detached spawn).
      if (pgid === undefined || pgids.has(pgid)) pgid = groupOf(this.#read(name, 'stat'));
      if (pgid === undefined) continue;
      seen.set(pid, pgid);
      if (!pgids.has(pgid)) continue;
      const kib = vmRssKib(this.#read(name, 'status'));
      totals.set(pgid, (totals.get(pgid) ?? 0) + kib * 1024);
    }
    this.#groupOf = seen;
    return totals;
  }

  /** A process can exit between the readdir and the read. */
  #read(pid: string, file: string): string | undefined {
    try {
      return readFileSync(`${this.#procDir}/${pid}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** The process group in a /proc/<pid>/stat line; the command name in parentheses may hold spaces and ')'. */
function groupOf(stat: string | undefined): number | undefined {
  if (stat === undefined) return undefined;
  // After "<pid> (<comm>) " come state, ppid, pgrp.
  const pgrp = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3)[2];
  return pgrp === undefined ? undefined : Number(pgrp);
}

/** A zombie or a kernel thread has no VmRSS line: it holds no user memory. */
function vmRssKib(status: string | undefined): number {
  const match = status === undefined ? null : /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}
