import type { Progress } from '../workflows/definitions.js';

const count = new Intl.NumberFormat('en-US');

/** Records a second over the last `windowMs`, from samples of the done count. */
export class RateMeter {
  readonly #samples: { at: number; done: number }[] = [];
  constructor(readonly windowMs = 30_000) {}

  add(at: number, done: number): void {
    this.#samples.push({ at, done });
    while (this.#samples.length > 2 && this.#samples[0]!.at < at - this.windowMs) this.#samples.shift();
  }

  /** undefined until two samples a second apart. */
  perSecond(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.at - first.at < 1000) return undefined;
    return Math.max(0, ((last.done - first.done) * 1000) / (last.at - first.at));
  }
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** What the display says besides the bar: the same words on a terminal and in a log. */
export function progressWords(p: Progress, perSecond: number | undefined): string {
  const parts = [
    p.total === null ? `${count.format(p.done)} done, total not yet counted` : `${count.format(p.done)}/${count.format(p.total)} done`,
    `${count.format(p.failed)} failed`,
  ];
  if (perSecond !== undefined) {
    parts.push(`${count.format(Math.round(perSecond))}/s`);
    if (p.total !== null && perSecond > 0 && p.done < p.total) parts.push(`ETA ${formatSeconds((p.total - p.done) / perSecond)}`);
  }
  if (p.source) parts.push(`source ${p.source.inFlight}/${p.source.limit} in flight, ${count.format(p.source.throttled429)} × 429`);
  if (p.paused) parts.push(p.sourcePaused ? 'paused (source held)' : 'paused');
  return parts.join(' · ');
}
