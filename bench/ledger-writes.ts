/**
 * Rows the ledger wrote, by table, from PostgreSQL's own counters (pg_stat_user_tables). A
 * backend reports its counts at most once a second and an idle one within about ten, so a
 * reading waits until the counters stop moving.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Ledger } from '../ledger/connect.js';

export interface TableWrites {
  inserted: number;
  updated: number;
  deleted: number;
}

type Writes = Record<string, TableWrites> & { total: TableWrites };

async function read(db: Ledger): Promise<Writes> {
  const { rows } = await sql<{ relname: string; ins: string; upd: string; del: string }>`
    select relname, n_tup_ins::text as ins, n_tup_upd::text as upd, n_tup_del::text as del from pg_stat_user_tables where schemaname = 'public'`.execute(db);
  const out = { total: { inserted: 0, updated: 0, deleted: 0 } } as Writes;
  for (const r of rows) {
    if (r.relname.startsWith('kysely_')) continue;
    const w = { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) };
    out[r.relname] = w;
    out.total = { inserted: out.total.inserted + w.inserted, updated: out.total.updated + w.updated, deleted: out.total.deleted + w.deleted };
  }
  return out;
}

const same = (a: Writes, b: Writes) => a.total.inserted === b.total.inserted && a.total.updated === b.total.updated && a.total.deleted === b.total.deleted;

/** An idle backend reports what it wrote within this long (PostgreSQL's PGSTAT_IDLE_INTERVAL is 10 s). */
const IDLE_REPORT_MS = 11_000;

/** The counters now (settled), or their growth since `before`. */
export async function ledgerWrites(db: Ledger, before?: Writes, settleMs = 30_000): Promise<Writes> {
  let last = await read(db);
  const deadline = Date.now() + settleMs;
  // Settled: unchanged over a whole idle interval, so every idle backend has reported meanwhile.
  while (Date.now() < deadline) {
    await sleep(IDLE_REPORT_MS);
    const now = await read(db);
    if (same(now, last)) break;
    last = now;
  }
  if (!before) return last;
  const diff = { total: { inserted: 0, updated: 0, deleted: 0 } } as Writes;
  for (const [table, w] of Object.entries(last)) {
    const b = before[table] ?? { inserted: 0, updated: 0, deleted: 0 };
    diff[table] = { inserted: w.inserted - b.inserted, updated: w.updated - b.updated, deleted: w.deleted - b.deleted };
  }
  return diff;
}
