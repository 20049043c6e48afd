/**
 * A prune as the retention runs it (ledger/retention.ts), timed batch by batch, while another
 * connection reads processes as the API would: the reads' latency shows whether the prune
 * held anything they needed.
 */
import { sql } from 'kysely';
import type { Ledger } from '../ledger/connect.js';
import { showProcess } from '../ledger/process-queries.js';
import { pruneLedger } from '../ledger/retention.js';
import { latencyOf, type Latency } from './latency.js';

export interface PruneFigures {
  days: number;
  cutoff: string;
  processes: number;
  tasks: number;
  idempotencyKeys: number;
  batches: number;
  seconds: number;
  processesPerSecond: number;
  /** Each batch's transaction: how long its rows were locked. */
  batchMs: Latency;
  /** `showProcess` of recent processes on another connection while the prune ran. */
  readsDuringPrune: Latency;
}

export async function measurePrune(db: Ledger, o: { days: number; now: Date; say: (line: string) => void }): Promise<PruneFigures> {
  const { rows } = await sql<{ process_id: string }>`select process_id from processes where created_at > ${o.now}::timestamptz - interval '30 days' order by random() limit 200`.execute(db);
  const ids = rows.map((r) => r.process_id);
  const reads: number[] = [];
  let pruning = true;
  const reader = (async () => {
    for (let i = 0; pruning && ids.length > 0; i++) {
      const started = performance.now();
      await showProcess(db, ids[i % ids.length]!);
      reads.push(performance.now() - started);
    }
  })();
  const batches: number[] = [];
  const started = performance.now();
  try {
    const result = await pruneLedger(db, {
      days: o.days,
      now: o.now,
      onBatch: (b) => {
        batches.push(b.ms);
        if (batches.length % 20 === 0) o.say(`prune: ${batches.length} batches`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      days: o.days,
      cutoff: result.cutoff,
      processes: result.processes,
      tasks: result.tasks,
      idempotencyKeys: result.idempotencyKeys,
      batches: result.batches,
      seconds: Math.round(seconds * 100) / 100,
      processesPerSecond: Math.round(result.processes / seconds),
      batchMs: latencyOf(batches),
      readsDuringPrune: latencyOf(reads),
    };
  } finally {
    pruning = false;
    await reader;
  }
}
