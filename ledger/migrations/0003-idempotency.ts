import { sql, type Kysely } from 'kysely';

/**
 * The API's `Idempotency-Key`: a client that retries a firing (a timeout, a dropped
 * connection) with the same key gets the process the first request made, never a second one.
 * A key belongs to the API key that sent it, so two clients never meet on one; the process id
 * is chosen when the key is first claimed, before the process exists, so a retry that arrives
 * while the first request is still firing fires the same process, idempotently. The hash of
 * the request tells a retry (same body) from a mistake (same key, another body).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('process_id', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['key_name', 'idempotency_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
