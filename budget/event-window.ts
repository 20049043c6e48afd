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

/**
 * The best rate of events over whole seconds in the last `spanMs`: what got through before a
 * throttle began, when the current rate, measured over the throttle itself, says little.
 */
export class PeakRate {
  /** [second, count] of the seconds with events, oldest first. */
  readonly #seconds: [number, number][] = [];

  constructor(readonly spanMs: number) {}

  add(now: number): void {
    const second = Math.floor(now / 1000);
    const last = this.#seconds.at(-1);
    if (last && last[0] === second) last[1]++;
    else this.#seconds.push([second, 1]);
    this.#trim(now);
  }

  /** Events per second in the best whole second of the span (the current second counts as whole). */
  perSecond(now: number): number {
    this.#trim(now);
    return this.#seconds.reduce((best, [, count]) => Math.max(best, count), 0);
  }

  #trim(now: number): void {
    const oldest = Math.floor((now - this.spanMs) / 1000);
    while (this.#seconds.length > 0 && this.#seconds[0]![0] < oldest) this.#seconds.shift();
  }
}
