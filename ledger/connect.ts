import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { LedgerTables } from './tables.js';

export type Ledger = Kysely<LedgerTables>;

export interface LedgerOptions {
  /** Most connections this process opens; the worker's activities share them. */
  maxConnections?: number;
}

/**
 * A pool of connections to the ledger's PostgreSQL. `bigint` counts (count(*)) come back as
 * numbers: the ledger's counts stay far below 2^53.
 */
export function openLedger(url: string, options: LedgerOptions = {}): Ledger {
  pg.types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle connection the server dropped must not take the process with it.
  pool.on('error', () => undefined);
  return new Kysely<LedgerTables>({ dialect: new PostgresDialect({ pool }) });
}
