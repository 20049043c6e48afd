import { sql, type Kysely } from 'kysely';

/**
 * The indexes a year of history needs (issue 22; measured by `npm run bench -- ledger`). Each
 * ends with process_id, the lists' second sort key, so a page and the page after it (the
 * cursor's `(created_at, process_id) <` row) are one ordered range of the index, never a
 * sort. Every process write adds one entry to each; nothing else reads or writes them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The newest processes of all, a day or a month of them (since/until), the page after a
  // cursor, and the retention's oldest first (ledger/retention.ts).
  await db.schema.createIndex('processes_created').on('processes').columns(['created_at', 'process_id']).execute();
  // `?triggeredBy=`: one API key's, one schedule's or one person's processes, newest first.
  await db.schema.createIndex('processes_triggered_by_created').on('processes').columns(['triggered_by', 'created_at', 'process_id']).execute();
  // The retention deletes a process's idempotency keys with it; they name it by process_id only.
  await db.schema.createIndex('idempotency_keys_process').on('idempotency_keys').column('process_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['idempotency_keys_process', 'processes_triggered_by_created', 'processes_created']) await sql`drop index ${sql.id(index)}`.execute(db);
}
