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
  /** Present when the portal has a maintenance window. */
  maintenance?: MaintenanceStats;
}

export interface MaintenanceStats {
  /** performance.now() of the portal's first request, from which the windows are timed (in its own process); absent before it. */
  origin?: number;
  /** Windows begun so far. */
  windows: number;
  /** Requests that arrived while the portal was closed (each answered 503 with Retry-After). */
  closedAnswers: number;
  /**
   * Requests of a client, for any page, that came after the portal told it to wait for the
   * window's end (more than `graceMs` after, since requests already on their way are not its
   * doing) and before the window opened: a client that did not wait the window out.
   */
  early: number;
}

/**
 * The maintenance window: closed `closedMs` of every `everyMs`, the first window `afterMs`
 * after the first request. Times are the monotonic clock's (performance.now()).
 */
export class MaintenanceWindow {
  #origin: number | undefined;
  readonly #told = new Map<string, { at: number; until: number }>();
  readonly stats: MaintenanceStats = { windows: 0, closedAnswers: 0, early: 0 };

  constructor(
    readonly closedMs: number,
    readonly everyMs: number,
    readonly afterMs: number,
    readonly graceMs = 250,
  ) {}

  /** Counts a request that arrived at `now`; returns the end of the window it falls in, or undefined when open. */
  arrive(client: string, now: number): number | undefined {
    if (this.#origin === undefined) this.#origin = this.stats.origin = now;
    const told = this.#told.get(client);
    if (told !== undefined) {
      if (now >= told.until) this.#told.delete(client);
      else if (now > told.at + this.graceMs) this.stats.early++;
    }
    const since = now - this.#origin - this.afterMs;
    if (since < 0) return undefined;
    const period = Math.floor(since / this.everyMs);
    this.stats.windows = Math.max(this.stats.windows, period + 1);
    const start = this.#origin + this.afterMs + period * this.everyMs;
    if (now >= start + this.closedMs) return undefined;
    this.stats.closedAnswers++;
    return start + this.closedMs;
  }

  /** The client was told at `now` to come back at `until`. */
  told(client: string, now: number, until: number): void {
    const before = this.#told.get(client);
    this.#told.set(client, before !== undefined && before.until > now ? { at: before.at, until: Math.max(before.until, until) } : { at: now, until });
  }
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

  /** Reports the window's counts with the rest from now on. */
  withMaintenance(window: MaintenanceWindow): void {
    this.#stats.maintenance = window.stats;
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
