import { GroupRssReader } from './group-rss.js';

/**
 * How often the resident memory of the watched process groups is read. A container's
 * cgroup refuses the allocation itself; sampling can only notice afterwards, so a
 * shorter period catches a fast allocator closer to its limit (a process can take a few
 * hundred MiB in 250 ms). Each sample is one pass over /proc for all watched groups
 * together, a fraction of a millisecond once the reader knows the machine's processes,
 * so four a second cost next to nothing.
 */
export const MEMORY_SAMPLE_INTERVAL_MS = 250;

interface Watched {
  limitBytes: number;
  onExceeded: (rssBytes: number) => void;
}

/**
 * Calls back, once, when the summed resident memory of a watched process group passes
 * its limit. One timer serves every group, and it runs only while a group is watched.
 */
export class MemoryWatch {
  readonly #watched = new Map<number, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #reader: GroupRssReader | undefined;

  /** Watches the group led by `pgid`; the returned function stops watching it (safe to call more than once). */
  watch(pgid: number, limitBytes: number, onExceeded: (rssBytes: number) => void): () => void {
    const watched: Watched = { limitBytes, onExceeded };
    this.#watched.set(pgid, watched);
    if (this.#timer === undefined) {
      // The reader trusts what it learnt about a pid only from one pass to the next, so not across a pause.
      this.#reader = new GroupRssReader();
      // Never the reason the executor's process stays alive.
      this.#timer = setInterval(() => this.#sample(), MEMORY_SAMPLE_INTERVAL_MS).unref();
    }
    return () => {
      if (this.#watched.get(pgid) === watched) this.#unwatch(pgid);
    };
  }

  #unwatch(pgid: number): void {
    this.#watched.delete(pgid);
    if (this.#watched.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#reader = undefined;
    }
  }

  #sample(): void {
    if (this.#reader === undefined) return;
    const rss = this.#reader.read(new Set(this.#watched.keys()));
    for (const [pgid, watched] of [...this.#watched]) {
      const used = rss.get(pgid) ?? 0;
      if (used <= watched.limitBytes) continue;
      this.#unwatch(pgid);
      watched.onExceeded(used);
    }
  }
}
