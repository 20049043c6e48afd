import type { PortalStats } from '../portal/server.js';
import { BenchError } from './errors.js';

/** The portal's own count of what it served (`GET /__stats`). */
export async function portalStats(url: string): Promise<PortalStats> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/__stats`);
  if (!res.ok) throw new BenchError(`the portal's /__stats answered HTTP ${res.status}`, 'BENCH_RUN_FAILED');
  return (await res.json()) as PortalStats;
}
