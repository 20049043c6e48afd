import { sql, type Kysely } from 'kysely';

/**
 * The catalog and the ledger: jobs and their versions, processes and their tasks. A process
 * row keeps the version it ran, so editing a job never changes a process already started.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('job_versions')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.job_id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('job_versions_pk', ['job_id', 'version'])
    .execute();
  await db.schema
    .createTable('processes')
    .addColumn('process_id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')`))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('triggered_by', 'text', (c) => c.notNull())
    .addColumn('parameters', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('failed_task', 'text')
    .addColumn('reason', 'text')
    .addForeignKeyConstraint('processes_version_fk', ['job_id', 'version'], 'job_versions', ['job_id', 'version'])
    .execute();
  // Lists are newest first, by job and by status.
  await db.schema.createIndex('processes_job_created').on('processes').columns(['job_id', 'created_at desc']).execute();
  await db.schema.createIndex('processes_status_created').on('processes').columns(['status', 'created_at desc']).execute();
  await db.schema
    .createTable('tasks')
    .addColumn('process_id', 'text', (c) => c.notNull().references('processes.process_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('batch_job_id', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('reason', 'text')
    .addColumn('vcpu_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('gib_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('tasks_pk', ['process_id', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['tasks', 'processes', 'job_versions', 'jobs']) await db.schema.dropTable(table).execute();
}
