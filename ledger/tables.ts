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
  /** The sum of its tasks' usage, kept so by ledger/process-store.ts. */
  vcpu_seconds: Generated<number>;
  gib_seconds: Generated<number>;
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

/** An API key: only the SHA-256 of its text is kept (ledger/api-keys.ts). */
export interface ApiKeysTable {
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  key_hash: string;
  key_prefix: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** One request to the API that changed something, or tried to (ledger/audit.ts). */
export interface AuditTable {
  id: Generated<number>;
  at: Generated<Date>;
  key_name: string;
  method: string;
  route: string;
  target: string | null;
  status: number;
  outcome: string;
}

/** A firing's `Idempotency-Key` and the process it made (migrations/0003-idempotency.ts). */
export interface IdempotencyKeysTable {
  key_name: string;
  idempotency_key: string;
  process_id: string;
  request_hash: string;
  created_at: Generated<Date>;
}

/**
 * What the processes created on a UTC day, of a job, by a caller used (migrations/0007-usage-days.ts,
 * kept by triggers). The day is written and compared as `YYYY-MM-DD`.
 */
export interface UsageDaysTable {
  day: ColumnType<Date, string, string>;
  job_id: string;
  triggered_by: string;
  processes: number;
  vcpu_seconds: number;
  gib_seconds: number;
}

export interface LedgerTables {
  jobs: JobsTable;
  job_versions: JobVersionsTable;
  processes: ProcessesTable;
  tasks: TasksTable;
  idempotency_keys: IdempotencyKeysTable;
  api_keys: ApiKeysTable;
  audit: AuditTable;
  usage_days: UsageDaysTable;
}

export type { Timestamp };
