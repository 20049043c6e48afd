import { sql, type Kysely } from 'kysely';

/**
 * The indexes a year of history needs (issue 22; measured by `npm run bench -- ledger`). Each
 * ends with process_id, the lists' second sort key, so a page and the page after it (the
 * cursor's `(created_at, process_id) <` row) are one ordered range of the index, never a
 * sort. Every process write adds one entry to each; nothing else reads or writes them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The newest processes of all, a day or a month of them (since/until), the page after a
  // cursor, and the retention's oldest first (ledger/retention.ts). It carries what the usage
  // sums read (ledger/usage-queries.ts), so a month of them is summed from the index alone,
  // never its 100,000 rows (twice as fast at a year's history); the price is that a task's
  // usage written to its process is no longer a HOT update, a few index entries a task.
  await sql`create index processes_created on processes (created_at, process_id) include (job_id, triggered_by, vcpu_seconds, gib_seconds)`.execute(db);
  // `?triggeredBy=`: one API key's, one schedule's or one person's processes, newest first.
  await db.schema.createIndex('processes_triggered_by_created').on('processes').columns(['triggered_by', 'created_at', 'process_id']).execute();
  // The retention deletes a process's idempotency keys with it; they name it by process_id only.
  await db.schema.createIndex('idempotency_keys_process').on('idempotency_keys').column('process_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['idempotency_keys_process', 'processes_triggered_by_created', 'processes_created']) await sql`drop index ${sql.id(index)}`.execute(db);
}
