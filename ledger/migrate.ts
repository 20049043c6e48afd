/**
 * The ledger's versioned migrations, applied in order and recorded in the database (Kysely's
 * Migrator), so applying them again does nothing. Listed here rather than read from a folder,
 * so the bundled worker and the CLI carry them.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { errorWithCode } from '../errors/drover-error.js';
import * as catalog from './migrations/0001-catalog.js';
import * as taskRuns from './migrations/0002-task-runs.js';
import * as idempotency from './migrations/0003-idempotency.js';
import * as apiKeys from './migrations/0004-api-keys.js';
import * as processUsage from './migrations/0005-process-usage.js';
import * as ledgerIndexes from './migrations/0006-ledger-indexes.js';
import * as usageDays from './migrations/0007-usage-days.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-catalog': catalog,
  '0002-task-runs': taskRuns,
  '0003-idempotency': idempotency,
  '0004-api-keys': apiKeys,
  '0005-process-usage': processUsage,
  '0006-ledger-indexes': ledgerIndexes,
  '0007-usage-days': usageDays,
};

export class LedgerMigrationError extends errorWithCode('LedgerMigrationError', 'LEDGER_MIGRATION_FAILED') {}

/** Applies every migration not yet applied; returns the names applied now. */
export async function migrateToLatest<Tables>(db: Kysely<Tables>): Promise<string[]> {
  // The migrations build the tables, so they see the database untyped.
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) throw new LedgerMigrationError(`the ledger's migrations failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
