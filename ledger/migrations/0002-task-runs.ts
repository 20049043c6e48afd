import { sql, type Kysely } from 'kysely';

/**
 * What a retry and the credit check need of the ledger. A task row carries the process
 * attempt that last wrote it, so a write from an attempt that has been retried is ignored;
 * its resources give its usage; its log says where its output is (a file of the local
 * executor, or a CloudWatch Logs stream); `detail` holds what a task kind adds (a chunk's
 * counts for the credit check).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('process_attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('vcpus', 'double precision')
    .addColumn('memory_mib', 'integer')
    .addColumn('array_size', 'integer')
    .addColumn('log', 'text')
    .addColumn('detail', 'jsonb')
    .execute();
  await db.schema.alterTable('processes').addColumn('workflow_run_id', 'text').execute();
  await sql`create index tasks_status on tasks (status) where status in ('PENDING', 'RUNNING')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index tasks_status`.execute(db);
  await db.schema.alterTable('processes').dropColumn('workflow_run_id').execute();
  for (const column of ['detail', 'log', 'array_size', 'memory_mib', 'vcpus', 'process_attempt']) {
    await db.schema.alterTable('tasks').dropColumn(column).execute();
  }
}
