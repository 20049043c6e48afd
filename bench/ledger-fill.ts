/**
 * A year of synthetic history in the ledger: the rows drover writes for processes and their
 * tasks (ledger/process-store.ts), made by PostgreSQL itself from generate_series, a month a
 * statement, so 1.2 million processes take minutes rather than the hours 1.2 million firings
 * would. Every figure is a hash of the process's number, so a run is the same every time.
 *
 * The shape: processes spread evenly over the year before `end`; 40 jobs, a few much busier
 * than the rest; triggered by schedules (most), API keys and people at the CLI; 94% SUCCEEDED,
 * 5% FAILED, 1% CANCELLED, the last 20 minutes' RUNNING (the last 2 QUEUED), and a few old
 * ones left RUNNING as a worker that died would leave them; 2 to 4 tasks each (the average
 * `tasksPerProcess`), each process's usage the sum of its tasks' as the ledger keeps it; an
 * idempotency key for each process fired through the API; the daily usage rollup of them all.
 */
import { sql } from 'kysely';
import type { Ledger } from '../ledger/connect.js';

export interface FillOptions {
  processes: number;
  /** The average: each process has this many tasks, one fewer or one more. */
  tasksPerProcess: number;
  /** The year ends here. */
  end: Date;
  /** Processes a statement (a month's worth at 1.2 million a year). */
  chunk?: number;
  say: (line: string) => void;
}

export const JOB_COUNT = 40;
export const VERSIONS_PER_JOB = 3;
export const API_KEYS = ['airflow', 'dashboard', 'ci', 'ops', 'backfill', 'partner-feed'];
export const CLI_USERS = ['ana', 'bo', 'chen', 'dmitri', 'eve', 'farah', 'gus', 'hana'];
export const YEAR_SECONDS = 365 * 86_400;

export const jobIdOf = (i: number) => `job-${String(i).padStart(2, '0')}`;

/** Every triggeredBy the fill writes: one schedule a job, the API keys, the CLI's users. */
export function triggeredByValues(): string[] {
  return [...Array.from({ length: JOB_COUNT }, (_, i) => `schedule:${jobIdOf(i)}-daily`), ...API_KEYS.map((k) => `api:${k}`), ...CLI_USERS.map((u) => `cli:${u}`)];
}

export async function fillJobs(db: Ledger): Promise<void> {
  const jobs = Array.from({ length: JOB_COUNT }, (_, i) => jobIdOf(i));
  await db.insertInto('jobs').values(jobs.map((job_id) => ({ job_id, latest_version: VERSIONS_PER_JOB }))).execute();
  await db
    .insertInto('job_versions')
    .values(
      jobs.flatMap((job_id) =>
        Array.from({ length: VERSIONS_PER_JOB }, (_, v) => ({
          job_id,
          version: v + 1,
          document: JSON.stringify({ id: job_id, steps: [{ name: 'step-1', command: ['python', 'main.py'], vcpus: 1, memoryMiB: 2048 }] }),
        })),
      ),
    )
    .execute();
}

/** Fills the processes and their tasks, a chunk a statement, saying each. */
export async function fillYear(db: Ledger, o: FillOptions): Promise<void> {
  const chunk = o.chunk ?? 100_000;
  await db.connection().execute(async (c) => {
    // Foreign keys hold by construction (each task is made with its process, each process
    // with a job version made above): checking 4.8 million of them would double the load.
    await sql`set session_replication_role = replica`.execute(c);
    await sql`set synchronous_commit = off`.execute(c);
    for (let from = 0; from < o.processes; from += chunk) {
      const to = Math.min(from + chunk, o.processes) - 1;
      const started = Date.now();
      await fillChunk(c, o, from, to);
      o.say(`filled processes ${from + 1}-${to + 1} of ${o.processes} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await sql`set session_replication_role = origin`.execute(c);
  });
  // The load ran without triggers, so the daily rollup the triggers keep (migrations/0007-usage-days.ts)
  // is made once from the loaded rows, as the migration's backfill would.
  const started = Date.now();
  await sql`
    insert into usage_days (day, job_id, triggered_by, processes, vcpu_seconds, gib_seconds)
    select (created_at at time zone 'UTC')::date, job_id, triggered_by, count(*), sum(vcpu_seconds), sum(gib_seconds)
    from processes group by 1, 2, 3`.execute(db);
  await sql`analyze usage_days`.execute(db);
  o.say(`filled usage_days in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function fillChunk(db: Ledger, o: FillOptions, from: number, to: number): Promise<void> {
  const n = o.processes;
  const tasksLow = Math.max(1, o.tasksPerProcess - 1);
  const apiKeys = sql.val(API_KEYS);
  const users = sql.val(CLI_USERS);
  // u(g, salt): a uniform number in [0, 1) from a hash of the process's number.
  await sql`
    with base as materialized (
      select g,
        ${sql.val(o.end.toISOString())}::timestamptz - make_interval(secs => ${YEAR_SECONDS} - (g + (hashint8extended(g, 0) & 4294967295)::float8 / 4294967296) * ${YEAR_SECONDS / n}) as created_at,
        'job-' || lpad(floor(${JOB_COUNT} * power((hashint8extended(g, 1) & 4294967295)::float8 / 4294967296, 2))::int::text, 2, '0') as job_id,
        (hashint8extended(g, 2) & 4294967295)::float8 / 4294967296 as u_status,
        (hashint8extended(g, 3) & 4294967295)::float8 / 4294967296 as u_trigger,
        (hashint8extended(g, 4) & 4294967295)::float8 / 4294967296 as u_who,
        ${tasksLow} + (g % 3)::int as tasks,
        (array[1, 2, 4])[1 + (hashint8extended(g, 5) & 3) % 3] as vcpus,
        20 + floor(((hashint8extended(g, 6) & 4294967295)::float8 / 4294967296) * 600) as step_seconds,
        case when (hashint8extended(g, 7) & 4294967295)::float8 / 4294967296 < 0.02 then 2 else 1 end as attempt
      from generate_series(${from}::bigint, ${to}::bigint) g
    ),
    p as materialized (
      select b.*,
        b.job_id || '-' || to_char(b.created_at at time zone 'UTC', 'YYYYMMDD-HH24MISS') || '-' || lpad(to_hex(((b.g * 2654435761) % 16777216)::int), 6, '0') as process_id,
        case
          when b.created_at > ${sql.val(o.end.toISOString())}::timestamptz - interval '2 minutes' then 'QUEUED'
          when b.created_at > ${sql.val(o.end.toISOString())}::timestamptz - interval '20 minutes' then 'RUNNING'
          when b.g % 250000 = 4321 then 'RUNNING'
          when b.u_status < 0.05 then 'FAILED'
          when b.u_status < 0.06 then 'CANCELLED'
          else 'SUCCEEDED'
        end as status,
        case
          when b.u_trigger < 0.55 then 'schedule:' || b.job_id || '-daily'
          when b.u_trigger < 0.9 then 'api:' || (${apiKeys}::text[])[1 + floor(b.u_who * ${API_KEYS.length})::int]
          else 'cli:' || (${users}::text[])[1 + floor(b.u_who * ${CLI_USERS.length})::int]
        end as triggered_by,
        b.created_at + make_interval(secs => 1 + 4 * b.u_who) as started_at
      from base b
    ),
    new_processes as (
      insert into processes (process_id, job_id, version, status, attempt, triggered_by, parameters, created_at, started_at, finished_at, failed_task, reason, workflow_run_id, vcpu_seconds, gib_seconds)
      select process_id, job_id, 1 + floor(${VERSIONS_PER_JOB} * g / ${n})::int, status, attempt, triggered_by,
        jsonb_build_object('date', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD'), 'region', case when g % 2 = 0 then 'west' else 'east' end),
        created_at,
        case when status = 'QUEUED' then null else started_at end,
        case when status in ('QUEUED', 'RUNNING') then null else started_at + make_interval(secs => step_seconds * (tasks + 0.5) + tasks) end,
        case when status = 'FAILED' then 'step-' || tasks end,
        case when status = 'FAILED' then 'step-' || tasks || ' failed: exit code 1' when status = 'CANCELLED' then 'cancelled by cli:ops' end,
        md5(process_id)::uuid::text,
        case when status in ('QUEUED', 'RUNNING') then 0 else vcpus * step_seconds * (tasks + 0.5) end,
        case when status in ('QUEUED', 'RUNNING') then 0 else 2 * vcpus * step_seconds * (tasks + 0.5) end
      from p
    ),
    new_keys as (
      -- A firing through the API sends an Idempotency-Key (the catalog bench does): its claim.
      insert into idempotency_keys (key_name, idempotency_key, process_id, request_hash, created_at)
      select substr(triggered_by, 5), md5('key' || g), process_id, md5('body' || g), created_at from p where triggered_by like 'api:%'
    )
    insert into tasks (process_id, name, position, status, attempts, started_at, finished_at, batch_job_id, exit_code, reason, vcpu_seconds, gib_seconds, process_attempt, vcpus, memory_mib, log)
    select process_id, 'step-' || k, k - 1, task_status, case when task_status = 'PENDING' then 0 else 1 end,
      case when task_status = 'PENDING' then null else task_start end,
      case when task_status in ('PENDING', 'RUNNING') then null else task_start + make_interval(secs => task_seconds) end,
      case when task_status = 'PENDING' then null else md5(process_id || k)::uuid::text end,
      case task_status when 'SUCCEEDED' then 0 when 'FAILED' then 1 end,
      case task_status when 'FAILED' then 'Essential container in task exited' end,
      case when task_status in ('PENDING', 'RUNNING') then 0 else vcpus * task_seconds end,
      case when task_status in ('PENDING', 'RUNNING') then 0 else 2 * vcpus * task_seconds end,
      attempt, vcpus, 2048 * vcpus,
      case when task_status = 'PENDING' then null else '/aws/batch/job/' || md5(process_id || k) end
    from (
      select p.*, k,
        -- Step k of n takes (0.5 + k/n) steps' time: they add up to n + 0.5, as the process row says.
        step_seconds * (0.5 + k::float8 / tasks) as task_seconds,
        started_at + make_interval(secs => step_seconds * (0.5 * (k - 1) + (k - 1) * k / (2.0 * tasks)) + (k - 1)) as task_start,
        case
          when status = 'QUEUED' then 'PENDING'
          when status = 'RUNNING' then case when k = 1 then 'RUNNING' else 'PENDING' end
          when k < tasks then 'SUCCEEDED'
          else status
        end as task_status
      from p cross join lateral generate_series(1, p.tasks) k
    ) t`.execute(db);
}
