import { ensureBuiltInJobs } from './built-in-jobs.js';
import { openLedger, type Ledger } from './connect.js';
import { migrateToLatest } from './migrate.js';

/** The ledger with its migrations applied and drover's built-in jobs in the catalog: what a worker starts with. */
export async function openReadyLedger(url: string): Promise<Ledger> {
  const db = openLedger(url);
  try {
    await migrateToLatest(db);
    await ensureBuiltInJobs(db);
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
