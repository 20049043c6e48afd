/** The demo portal's options: documented, validated, unknown keys refused. */
import { performance } from 'node:perf_hooks';
import { PortalDataset } from './dataset.js';
import { PortalOptionsError } from './errors.js';
import { DEFAULT_FAULT_KINDS, FAULT_KINDS, type FaultKind } from './faults.js';

export interface PortalOptions {
  /** TCP port; 0 picks a free one. Integer 0..65535, default 0. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`; `0.0.0.0` in a container that others must reach. */
  host?: string;
  /** Seed of the faults and, unless `dataset` is given, of the data. Integer 0..2^32-1, default 42. */
  seed?: number;
  /** Milliseconds added to every answer (faults included), like a slow network. >= 0, default 0. */
  latencyMs?: number;
  /** Share of portal requests that meet a transient fault. 0..1, default 0. */
  faultRate?: number;
  /** Which faults to inject; see FaultKind. Non-empty, default every kind but `hang`. */
  faultKinds?: FaultKind[];
  /** The `Retry-After` the portal sends, in whole seconds. Integer >= 0, default 1. */
  retryAfterSeconds?: number;
  /**
   * Answer 429 with `Retry-After` once more than this many requests arrived, across all
   * clients, in the last second (sliding window). Positive integer; default: no limit.
   */
  maxRps?: number;
  /** Extra delay of a `slow` fault, in milliseconds. >= 0, default 2000. */
  slowMs?: number;
  /**
   * A maintenance window: the portal is closed this many seconds of every `maintenanceEverySeconds`,
   * answering every request 503 with the maintenance page and `Retry-After` the whole seconds
   * left until it opens. > 0; default: no window.
   */
  maintenanceSeconds?: number;
  /** The period of the maintenance window, in seconds. > maintenanceSeconds, default 30. */
  maintenanceEverySeconds?: number;
  /**
   * When the first window begins, in seconds after the portal's first request (so that two
   * portals meet their windows at the same point of the same lookups). >= 0, default 5.
   */
  maintenanceAfterSeconds?: number;
  /** The data to serve; default `new PortalDataset({ seed })`. */
  dataset?: PortalDataset;
  /**
   * The monotonic clock, in ms, that times Retry-After, the rate limit and the maintenance
   * windows. Default `performance.now`; a test passes its own to move time without sleeping.
   */
  clock?: () => number;
}

export interface ResolvedPortalOptions {
  port: number;
  host: string;
  seed: number;
  latencyMs: number;
  faultRate: number;
  faultKinds: readonly FaultKind[];
  retryAfterSeconds: number;
  maxRps: number | undefined;
  slowMs: number;
  /** Absent: no maintenance window. */
  maintenance: { closedMs: number; everyMs: number; afterMs: number } | undefined;
  dataset: PortalDataset;
  clock: () => number;
}

const KEYS = new Set([
  'port', 'host', 'seed', 'latencyMs', 'faultRate', 'faultKinds', 'retryAfterSeconds', 'maxRps', 'slowMs',
  'maintenanceSeconds', 'maintenanceEverySeconds', 'maintenanceAfterSeconds', 'dataset', 'clock',
]);

export function resolvePortalOptions(options: PortalOptions = {}): ResolvedPortalOptions {
  if (typeof options !== 'object' || options === null) throw new PortalOptionsError('portal options must be an object');
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new PortalOptionsError(`unknown portal option "${key}"; known: ${[...KEYS].join(', ')}`);
  }
  const port = integer('port', options.port, 0, 0, 65535);
  const seed = integer('seed', options.seed, 42, 0, 0xffff_ffff);
  const latencyMs = number('latencyMs', options.latencyMs, 0, 0, Number.MAX_SAFE_INTEGER);
  const faultRate = number('faultRate', options.faultRate, 0, 0, 1);
  const retryAfterSeconds = integer('retryAfterSeconds', options.retryAfterSeconds, 1, 0, 86_400);
  const slowMs = number('slowMs', options.slowMs, 2000, 0, Number.MAX_SAFE_INTEGER);
  const maxRps = options.maxRps === undefined ? undefined : integer('maxRps', options.maxRps, 0, 1, Number.MAX_SAFE_INTEGER);

  const maintenance = resolveMaintenance(options);

  const faultKinds = options.faultKinds ?? DEFAULT_FAULT_KINDS;
  if (!Array.isArray(faultKinds) || faultKinds.length === 0) throw new PortalOptionsError('faultKinds must be a non-empty array');
  for (const kind of faultKinds) {
    if (!FAULT_KINDS.includes(kind)) throw new PortalOptionsError(`unknown fault kind "${String(kind)}"; known: ${FAULT_KINDS.join(', ')}`);
  }

  if (options.dataset !== undefined && !(options.dataset instanceof PortalDataset)) {
    throw new PortalOptionsError('dataset must be a PortalDataset');
  }
  const dataset = options.dataset ?? new PortalDataset({ seed });
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new PortalOptionsError(`host must be a non-empty address, got ${String(host)}`);
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new PortalOptionsError('clock must be a function');
  const clock = options.clock ?? (() => performance.now());
  return { port, host, seed, latencyMs, faultRate, faultKinds: [...faultKinds], retryAfterSeconds, maxRps, slowMs, maintenance, dataset, clock };
}

function resolveMaintenance(options: PortalOptions): ResolvedPortalOptions['maintenance'] {
  const { maintenanceSeconds, maintenanceEverySeconds, maintenanceAfterSeconds } = options;
  if (maintenanceSeconds === undefined) {
    if (maintenanceEverySeconds !== undefined || maintenanceAfterSeconds !== undefined) {
      throw new PortalOptionsError('maintenanceEverySeconds and maintenanceAfterSeconds need maintenanceSeconds');
    }
    return undefined;
  }
  const closed = number('maintenanceSeconds', maintenanceSeconds, 0, 0, 86_400);
  const every = number('maintenanceEverySeconds', maintenanceEverySeconds, 30, 0, 86_400);
  if (closed <= 0) throw new PortalOptionsError(`maintenanceSeconds must be above 0, got ${closed}`);
  if (every <= closed) throw new PortalOptionsError(`maintenanceEverySeconds (${every}) must be longer than maintenanceSeconds (${closed})`);
  const after = number('maintenanceAfterSeconds', maintenanceAfterSeconds, 5, 0, 86_400);
  return { closedMs: closed * 1000, everyMs: every * 1000, afterMs: after * 1000 };
}

function number(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new PortalOptionsError(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const n = number(name, value, fallback, min, max);
  if (!Number.isInteger(n)) throw new PortalOptionsError(`${name} must be an integer, got ${String(value)}`);
  return n;
}
