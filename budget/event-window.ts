/** Counts events over the last `windowMs`, for this child's own send and success rates. */
export class EventWindow {
  readonly #times: number[] = [];
  readonly #since: number;

  constructor(
    readonly windowMs: number,
    now: number,
  ) {
    this.#since = now;
  }

  add(now: number): void {
    this.#times.push(now);
    this.#trim(now);
  }

  /** Events per second over the window, or over the time since creation when that is shorter. */
  perSecond(now: number): number {
    this.#trim(now);
    const span = Math.max(100, Math.min(this.windowMs, now - this.#since));
    return (this.#times.length * 1000) / span;
  }

  #trim(now: number): void {
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! <= now - this.windowMs) drop++;
    if (drop > 0) this.#times.splice(0, drop);
  }
}
