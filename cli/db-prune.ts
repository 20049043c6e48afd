/** `drover db prune`: the ledger's retention (ledger/retention.ts), run once now. */
import { openLedger } from '../ledger/connect.js';
import { countPrunable, pruneLedger } from '../ledger/retention.js';
import { NoDatabaseError } from './db-migrate.js';
import { CliInputError } from './bad-input.js';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface DbPruneOptions {
  /** --days, else DROVER_LEDGER_RETENTION_DAYS. */
  days?: number;
  dryRun?: boolean;
}

/** What `drover db prune` prints: what it deleted, or with --dry-run what it would delete. */
export async function dbPrune(url: string | undefined, retentionDays: number | undefined, o: DbPruneOptions): Promise<string> {
  if (!url) throw new NoDatabaseError('no database: set DATABASE_URL or start the stack with npm start');
  const days = o.days ?? retentionDays;
  if (days === undefined) throw new CliInputError('how many days to keep? Give --days, or set DROVER_LEDGER_RETENTION_DAYS');
  const db = openLedger(url, { maxConnections: 1 });
  try {
    if (o.dryRun) {
      const c = await countPrunable(db, { days });
      return `would delete ${count(c.processes, 'process', 'processes')} that ended, made and finished before ${c.cutoff} (${days} days ago), with ${count(c.tasks, 'task')} and ${count(c.idempotencyKeys, 'idempotency key')}`;
    }
    const r = await pruneLedger(db, { days });
    return `deleted ${count(r.processes, 'process', 'processes')} that ended, made and finished before ${r.cutoff} (${days} days ago), with ${count(r.tasks, 'task')} and ${count(r.idempotencyKeys, 'idempotency key')}, in ${count(r.batches, 'batch', 'batches')} (the longest ${Math.round(r.maxBatchMs)} ms)`;
  } finally {
    await db.destroy();
  }
}
