/**
 * Processes with usage chosen by hand, on two days, of two jobs, started by two callers, and
 * what they cost at TEST_PRICES worked out by hand: prices of $0.036 a vCPU-hour and $0.0036 a
 * GiB-hour make an hour of a vCPU 3.6 cents and an hour of a GiB 0.36 cents.
 */
import { putJobVersion } from '../../ledger/catalog-store.js';
import type { Ledger } from '../../ledger/connect.js';
import { createProcess, recordProcess, recordTask } from '../../ledger/process-store.js';

export const TEST_PRICES = { vcpuHour: 0.036, gibHour: 0.0036 };
export const TEST_PRICE_ENV = { DROVER_PRICE_VCPU_HOUR: '0.036', DROVER_PRICE_GIB_HOUR: '0.0036' };

/** [vCPU-seconds, GiB-seconds] of each task. */
export const USAGE_PROCESSES = [
  // 1 vCPU-hour and 2 GiB-hours: 0.036 + 0.0072 = $0.0432.
  { id: 'use-p1', job: 'feeds', by: 'cli:ann', at: '2026-03-01T23:59:59.999Z', tasks: [[3600, 7200]] },
  // 0.75 vCPU-hours and 1.5 GiB-hours: 0.027 + 0.0054 = $0.0324.
  { id: 'use-p2', job: 'feeds', by: 'schedule:nightly', at: '2026-03-02T00:00:00.000Z', tasks: [[1800, 3600], [900, 1800]] },
  // 1/30 vCPU-hour and 1/15 GiB-hour: 0.0012 + 0.00024 = $0.00144.
  { id: 'use-p3', job: 'rates', by: 'cli:ann', at: '2026-03-02T12:00:00.000Z', tasks: [[120, 240]] },
  // Outside 2026-03-01 to 2026-03-03.
  { id: 'use-p4', job: 'rates', by: 'schedule:nightly', at: '2026-03-03T00:00:00.000Z', tasks: [[1000, 1000]] },
] as const;

export async function writeUsageProcesses(db: Ledger): Promise<void> {
  for (const job of ['feeds', 'rates']) await putJobVersion(db, job, { id: job, name: job, steps: [{ name: 't0', command: ['true'] }] });
  for (const p of USAGE_PROCESSES) {
    await createProcess(db, { processId: p.id, jobId: p.job, version: 1, triggeredBy: p.by, parameters: {}, tasks: p.tasks.map((_, i) => ({ name: `t${i}`, position: i })) });
    for (const [i, [vcpuSeconds, gibSeconds]] of p.tasks.entries()) await recordTask(db, { processId: p.id, attempt: 1, name: `t${i}`, status: 'SUCCEEDED', vcpuSeconds, gibSeconds });
    await recordProcess(db, { processId: p.id, attempt: 1, status: 'SUCCEEDED' });
    await db.updateTable('processes').set({ created_at: new Date(p.at) }).where('process_id', '=', p.id).execute();
  }
}
