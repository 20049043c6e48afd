import { sql, type Kysely } from 'kysely';

/**
 * The REST API's keys and its audit trail. A key is kept only as the SHA-256 of its text,
 * so a copy of the database lets no one call the API; `key_prefix` (the key's first
 * characters) tells keys apart in a list. A revoked key keeps its row until a new key takes
 * its name. `anonymous` is what the audit trail calls a request without a key, so no key may
 * have that name. The audit trail keeps the key's name, not a reference: it outlives the key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('name', 'text', (c) => c.primaryKey().check(sql`name ~ '^[a-z0-9][a-z0-9-]{0,62}$' and name <> 'anonymous'`))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'operator', 'admin')`))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique().check(sql`key_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('audit')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  // Reading the trail by time (and pruning it); one key's requests, newest first.
  await db.schema.createIndex('audit_at').on('audit').column('at desc').execute();
  await db.schema.createIndex('audit_key_name').on('audit').columns(['key_name', 'id desc']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit', 'api_keys']) await db.schema.dropTable(table).execute();
}
