/** Bookkeeping of the portal's traffic: counters, the rate window and Retry-After promises. */

export interface PortalStats {
  /** Portal requests received (control routes /__stats and /healthz excluded). */
  requests: number;
  /** Requests not yet answered or abandoned. */
  inFlight: number;
  /** The most requests ever in flight at once. */
  peakInFlight: number;
  /** Answers sent, by HTTP status ('200', '404', '429', ...); resets and hangs send none. */
  byStatus: Record<string, number>;
  /** Faults injected by kind, plus `maxRps` for 429s of the rate limit. */
  faults: Record<string, number>;
  /** Retries that came before their Retry-After expired: the same client (x-client-id, else address) asking for the same page again. */
  tooEarly: number;
}

export class TrafficStats {
  readonly #stats: PortalStats = { requests: 0, inFlight: 0, peakInFlight: 0, byStatus: {}, faults: {}, tooEarly: 0 };

  /** Counts a request in flight until its response closes (answered, reset or abandoned). */
  begin(onClose: (listener: () => void) => void): number {
    const s = this.#stats;
    s.requests++;
    s.inFlight++;
    s.peakInFlight = Math.max(s.peakInFlight, s.inFlight);
    onClose(() => {
      s.inFlight--;
    });
    return s.requests;
  }

  status(status: number): void {
    bump(this.#stats.byStatus, String(status));
  }

  fault(kind: string): void {
    bump(this.#stats.faults, kind);
  }

  tooEarly(): void {
    this.#stats.tooEarly++;
  }

  snapshot(): PortalStats {
    return structuredClone(this.#stats);
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Admits at most `max` events per sliding `windowMs`. */
export class SlidingWindow {
  readonly #times: number[] = [];
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  admit(now: number): boolean {
    while (this.#times.length > 0 && (this.#times[0] ?? now) <= now - this.windowMs) this.#times.shift();
    if (this.#times.length >= this.max) return false;
    this.#times.push(now);
    return true;
  }
}

/**
 * Remembers, per client, until when a Retry-After told it to wait. Timers and clocks
 * round, so a request within `graceMs` of the deadline is not counted as early.
 */
export class RetryAfterGate {
  readonly #notBefore = new Map<string, number>();
  constructor(readonly graceMs = 5) {}

  promise(client: string, until: number): void {
    this.#notBefore.set(client, Math.max(until, this.#notBefore.get(client) ?? 0));
  }

  /** Whether a request from `client` at `now` comes too early. */
  isEarly(client: string, now: number): boolean {
    const until = this.#notBefore.get(client);
    if (until === undefined) return false;
    if (now + this.graceMs < until) return true;
    if (now >= until) this.#notBefore.delete(client);
    return false;
  }
}
