/**
 * The ledger's tables as Kysely sees them (migrations/ makes them). Columns the database
 * fills are `Generated`; timestamps come back as Date.
 */
import type { ColumnType, Generated } from 'kysely';

export const PROCESS_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];
export const TASK_STATUSES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface JobsTable {
  job_id: string;
  latest_version: number;
  created_at: Generated<Date>;
  retired_at: NullableTimestamp;
}

export interface JobVersionsTable {
  job_id: string;
  version: number;
  document: Json<unknown>;
  created_at: Generated<Date>;
}

export interface ProcessesTable {
  process_id: string;
  job_id: string;
  version: number;
  status: ProcessStatus;
  attempt: Generated<number>;
  triggered_by: string;
  parameters: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  failed_task: string | null;
  reason: string | null;
  workflow_run_id: string | null;
}

export interface TasksTable {
  process_id: string;
  name: string;
  position: number;
  status: TaskStatus;
  attempts: Generated<number>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  batch_job_id: string | null;
  exit_code: number | null;
  reason: string | null;
  vcpu_seconds: Generated<number>;
  gib_seconds: Generated<number>;
  process_attempt: Generated<number>;
  vcpus: number | null;
  memory_mib: number | null;
  array_size: number | null;
  log: string | null;
  detail: Json<Record<string, unknown> | null> | null;
}

export interface LedgerTables {
  jobs: JobsTable;
  job_versions: JobVersionsTable;
  processes: ProcessesTable;
  tasks: TasksTable;
}

export type { Timestamp };
