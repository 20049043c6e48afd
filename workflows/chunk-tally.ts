/**
 * The run's done and failed counts while its chunks run: a running chunk counts what its
 * children say they have written (chunkProgress), an ended one what its job's own count
 * says. A late word from a chunk that has ended changes nothing.
 */
export class ChunkTally {
  #endedDone = 0;
  #endedFailed = 0;
  readonly #running = new Map<number, { done: number; failed: number }>();
  readonly #ended = new Set<number>();

  /** What a running chunk of `size` records has written so far; the count is a hint, so it is held to the size. */
  running(chunk: number, size: number, written: number, errors: number): void {
    if (this.#ended.has(chunk)) return;
    const done = Math.max(0, Math.min(written, size));
    this.#running.set(chunk, { done, failed: Math.max(0, Math.min(errors, done)) });
  }

  ended(chunk: number, done: number, failed: number): void {
    if (this.#ended.has(chunk)) return;
    this.#ended.add(chunk);
    this.#running.delete(chunk);
    this.#endedDone += done;
    this.#endedFailed += failed;
  }

  get done(): number {
    let n = this.#endedDone;
    for (const c of this.#running.values()) n += c.done;
    return n;
  }

  get failed(): number {
    let n = this.#endedFailed;
    for (const c of this.#running.values()) n += c.failed;
    return n;
  }
}
