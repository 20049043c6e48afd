import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RejectedRow } from '../sheet/types.js';

/**
 * Rejected rows parked on disk until the Rejected sheet is written.
 *
 * The Rejected sheet comes after Credit worthiness and Summary, and a streaming zip writes
 * entries one after the other, so rows fed early would otherwise sit in memory until the end.
 */
export class RejectedSpool {
  readonly #dir: string;
  readonly #out: WriteStream;
  #count = 0;
  #failure: Error | undefined;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#out = createWriteStream(join(dir, 'rejected.jsonl'));
    this.#out.on('error', (error) => {
      this.#failure ??= error;
    });
  }

  /** @param parent Folder for the spool's own temporary folder. */
  static async open(parent: string = tmpdir()): Promise<RejectedSpool> {
    return new RejectedSpool(await mkdtemp(join(parent, 'drover-rejected-')));
  }

  get count(): number {
    return this.#count;
  }

  async add(rows: readonly RejectedRow[]): Promise<void> {
    this.#check();
    if (rows.length === 0) return;
    const ok = this.#out.write(rows.map((r) => JSON.stringify([r.row, r.raw, r.reason])).join('\n') + '\n');
    this.#count += rows.length;
    if (!ok) await once(this.#out, 'drain');
  }

  /** Closes the spool and yields its rows in the order added. */
  async *replay(): AsyncGenerator<RejectedRow> {
    this.#out.end();
    await once(this.#out, 'finish');
    this.#check();
    const lines = createInterface({ input: createReadStream(join(this.#dir, 'rejected.jsonl')), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const [row, raw, reason] = JSON.parse(line) as [number, string[], string];
      yield { row, raw, reason };
    }
  }

  /** Removes the spool. Never throws. */
  async remove(): Promise<void> {
    this.#out.destroy();
    await rm(this.#dir, { recursive: true, force: true }).catch(() => undefined);
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }
}
