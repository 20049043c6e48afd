/** What the ledger's tables and their indexes take on disk, and how many rows they hold. */
import { sql } from 'kysely';
import type { Ledger } from '../ledger/connect.js';

export interface TableSize {
  rows: number;
  tableMb: number;
  indexesMb: Record<string, number>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function tableSizes(db: Ledger, tables: readonly string[]): Promise<Record<string, TableSize>> {
  const sizes: Record<string, TableSize> = {};
  for (const table of tables) {
    const { rows: counted } = await sql<{ n: number }>`select count(*)::bigint as n from ${sql.table(table)}`.execute(db);
    const { rows: own } = await sql<{ bytes: number }>`select pg_table_size(${table}::regclass)::bigint as bytes`.execute(db);
    const { rows: indexes } = await sql<{ name: string; bytes: number }>`
      select i.relname as name, pg_relation_size(i.oid)::bigint as bytes
      from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = ${table}::regclass order by i.relname`.execute(db);
    sizes[table] = { rows: Number(counted[0]!.n), tableMb: mb(Number(own[0]!.bytes)), indexesMb: Object.fromEntries(indexes.map((i) => [i.name, mb(Number(i.bytes))])) };
  }
  return sizes;
}
