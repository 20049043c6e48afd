/** `drover db migrate`: the ledger's migrations, applied to the configured PostgreSQL. */
import { errorWithCode } from '../errors/drover-error.js';
import { openLedger } from '../ledger/connect.js';
import { MIGRATIONS, migrateToLatest } from '../ledger/migrate.js';

export class NoDatabaseError extends errorWithCode('NoDatabaseError', 'DB_NOT_CONFIGURED') {}

/** Applies the migrations not yet applied at `url`; returns their names. The stack calls it at start too. */
export async function migrateLedger(url: string): Promise<string[]> {
  const db = openLedger(url, { maxConnections: 1 });
  try {
    return await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/** What `drover db migrate` prints: the migrations it applied, or that there were none to apply. */
export async function dbMigrate(url: string | undefined): Promise<string> {
  if (!url) throw new NoDatabaseError('no database: set DATABASE_URL or start the stack with npm start');
  const applied = await migrateLedger(url);
  const total = Object.keys(MIGRATIONS).length;
  return applied.length ? `applied ${applied.join(', ')}` : `the ledger is up to date (${total} migration${total === 1 ? '' : 's'} applied)`;
}
