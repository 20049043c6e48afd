import { join } from 'node:path';
import { startNode, runNode } from './child-process.js';
import { portalStats } from './portal-stats.js';

export interface BaselineFigures {
  seconds: number;
  /** 429/503 answers it waited out. */
  throttled: number;
  /** Requests its portal counted as early: before a Retry-After, or within a maintenance window it was told of. */
  tooEarly: number;
  lookups: number;
  /** Requests the baseline's own portal counted. */
  requests: number;
  peakInFlight: number;
  found: number;
  notFound: number;
  errors: number;
}

/**
 * The naive script against a portal of its own (same latency, seed, maintenance window and no
 * faults), so the portal's request and peak in-flight counts are the baseline's alone.
 */
export async function runBaseline(root: string, opts: { records: number; latencyMs: number; concurrency: number; maintenanceSeconds: number }): Promise<BaselineFigures> {
  // The window as the stack gives its portal (stack/stack.ts): closed that long of every 30 s, from 2 s after the first lookup.
  const maintenance = opts.maintenanceSeconds > 0 ? ['--maintenance', String(opts.maintenanceSeconds), '--maintenance-every', '30', '--maintenance-after', '2'] : [];
  const portal = await startNode(
    join(root, 'dist/portal/main.js'),
    ['--port', '0', '--latency', String(opts.latencyMs), '--fault-rate', '0', '--seed', '42', ...maintenance],
    root,
    /portal listening on (http:\/\/\S+)/,
  );
  try {
    const url = portal.match[1]!;
    const out = await runNode(join(root, 'dist/bench/naive.js'), ['--url', url, '--records', String(opts.records), '--concurrency', String(opts.concurrency)], root);
    const naive = JSON.parse(out.trim().split('\n').pop()!) as Omit<BaselineFigures, 'requests' | 'peakInFlight' | 'tooEarly'> & { requests: number };
    const stats = await portalStats(url);
    return { ...naive, requests: stats.requests, peakInFlight: stats.peakInFlight, tooEarly: stats.tooEarly + (stats.maintenance?.early ?? 0) };
  } finally {
    await portal.stop();
  }
}
