import { sql, type Kysely } from 'kysely';

/**
 * A process's usage on its own row: the sum of its tasks' vCPU-seconds and GiB-seconds,
 * kept equal to that sum by every write of a task's usage (ledger/process-store.ts), so a
 * list of processes and the usage sums (ledger/usage-queries.ts) read no task rows.
 * Existing processes get their tasks' sums.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('processes')
    .addColumn('vcpu_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('gib_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`
    update processes p set vcpu_seconds = s.vcpu_seconds, gib_seconds = s.gib_seconds
    from (select process_id, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds from tasks group by process_id) s
    where s.process_id = p.process_id and (s.vcpu_seconds <> 0 or s.gib_seconds <> 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('processes').dropColumn('gib_seconds').dropColumn('vcpu_seconds').execute();
}
