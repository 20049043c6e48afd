import { sql, type Kysely } from 'kysely';

/**
 * A daily rollup of the processes' usage (issue 22): one row a UTC day of created_at, job and
 * triggeredBy, so a month's sums (ledger/usage-queries.ts) read a few thousand rows, not the
 * month's 100,000 processes.
 *
 * PostgreSQL keeps it, by triggers on processes, in the statement that changes a process, so in
 * its transaction: a process made (createProcess), its usage set to its tasks' sum (recordTask,
 * beginAttempt, under the process row's lock, so a row trigger's OLD is the value it replaces),
 * a process deleted (the retention, a job's cascade), and a process moved to another day, job or
 * caller (no code of drover's does, but tests, an operator's SQL and a restore do). A writer that
 * forgets is impossible, which keeping it in ledger/process-store.ts could not promise.
 *
 * Statements of many rows (a prune batch) add up their rows by key and write the keys in order,
 * so two of them never wait on each other's rows in opposite orders. A key whose last process is
 * deleted loses its row: the sums never show a key with no process. A bulk load that runs
 * without triggers (session_replication_role = replica, as the ledger bench's) must fill the
 * rollup itself with the backfill below.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table usage_days (
      day date not null,
      job_id text not null,
      triggered_by text not null,
      processes integer not null,
      vcpu_seconds double precision not null,
      gib_seconds double precision not null,
      primary key (day, job_id, triggered_by)
    )`.execute(db);
  await sql`
    insert into usage_days (day, job_id, triggered_by, processes, vcpu_seconds, gib_seconds)
    select (created_at at time zone 'UTC')::date, job_id, triggered_by, count(*), sum(vcpu_seconds), sum(gib_seconds)
    from processes group by 1, 2, 3`.execute(db);

  await sql`
    create function usage_days_added() returns trigger language plpgsql as $$
    begin
      insert into usage_days as u (day, job_id, triggered_by, processes, vcpu_seconds, gib_seconds)
      select (created_at at time zone 'UTC')::date, job_id, triggered_by, count(*), sum(vcpu_seconds), sum(gib_seconds)
      from added group by 1, 2, 3 order by 1, 2, 3
      on conflict (day, job_id, triggered_by) do update set
        processes = u.processes + excluded.processes,
        vcpu_seconds = u.vcpu_seconds + excluded.vcpu_seconds,
        gib_seconds = u.gib_seconds + excluded.gib_seconds;
      return null;
    end $$`.execute(db);
  await sql`
    create function usage_days_removed() returns trigger language plpgsql as $$
    begin
      with gone as (
        select (created_at at time zone 'UTC')::date as day, job_id, triggered_by, count(*) as processes, sum(vcpu_seconds) as vcpu_seconds, sum(gib_seconds) as gib_seconds
        from removed group by 1, 2, 3 order by 1, 2, 3
      )
      update usage_days u set
        processes = u.processes - g.processes,
        vcpu_seconds = u.vcpu_seconds - g.vcpu_seconds,
        gib_seconds = u.gib_seconds - g.gib_seconds
      from gone g
      where (u.day, u.job_id, u.triggered_by) = (g.day, g.job_id, g.triggered_by);
      delete from usage_days u using (select distinct (created_at at time zone 'UTC')::date as day, job_id, triggered_by from removed) g
      where (u.day, u.job_id, u.triggered_by) = (g.day, g.job_id, g.triggered_by) and u.processes <= 0;
      return null;
    end $$`.execute(db);
  // A row at a time: an update of usage is one process (a task's write), and its OLD is read
  // under the lock the update itself holds. A move to another key takes from the old key's row
  // and adds to the new one's.
  await sql`
    create function usage_days_changed() returns trigger language plpgsql as $$
    declare
      old_day date := (old.created_at at time zone 'UTC')::date;
      new_day date := (new.created_at at time zone 'UTC')::date;
    begin
      if (old_day, old.job_id, old.triggered_by) is not distinct from (new_day, new.job_id, new.triggered_by) then
        update usage_days set
          vcpu_seconds = vcpu_seconds + (new.vcpu_seconds - old.vcpu_seconds),
          gib_seconds = gib_seconds + (new.gib_seconds - old.gib_seconds)
        where (day, job_id, triggered_by) = (new_day, new.job_id, new.triggered_by);
        return null;
      end if;
      update usage_days set processes = processes - 1, vcpu_seconds = vcpu_seconds - old.vcpu_seconds, gib_seconds = gib_seconds - old.gib_seconds
      where (day, job_id, triggered_by) = (old_day, old.job_id, old.triggered_by);
      delete from usage_days where (day, job_id, triggered_by) = (old_day, old.job_id, old.triggered_by) and processes <= 0;
      insert into usage_days as u (day, job_id, triggered_by, processes, vcpu_seconds, gib_seconds)
      values (new_day, new.job_id, new.triggered_by, 1, new.vcpu_seconds, new.gib_seconds)
      on conflict (day, job_id, triggered_by) do update set
        processes = u.processes + 1,
        vcpu_seconds = u.vcpu_seconds + excluded.vcpu_seconds,
        gib_seconds = u.gib_seconds + excluded.gib_seconds;
      return null;
    end $$`.execute(db);
  await sql`create trigger usage_days_added after insert on processes referencing new table as added for each statement execute function usage_days_added()`.execute(db);
  await sql`create trigger usage_days_removed after delete on processes referencing old table as removed for each statement execute function usage_days_removed()`.execute(db);
  await sql`
    create trigger usage_days_changed after update of created_at, job_id, triggered_by, vcpu_seconds, gib_seconds on processes for each row
    when ((old.created_at, old.job_id, old.triggered_by, old.vcpu_seconds, old.gib_seconds) is distinct from (new.created_at, new.job_id, new.triggered_by, new.vcpu_seconds, new.gib_seconds))
    execute function usage_days_changed()`.execute(db);
  await sql`create function usage_days_emptied() returns trigger language plpgsql as $$ begin truncate usage_days; return null; end $$`.execute(db);
  await sql`create trigger usage_days_emptied after truncate on processes for each statement execute function usage_days_emptied()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['usage_days_emptied', 'usage_days_changed', 'usage_days_removed', 'usage_days_added']) await sql`drop trigger ${sql.id(t)} on processes`.execute(db);
  for (const f of ['usage_days_emptied', 'usage_days_changed', 'usage_days_removed', 'usage_days_added']) await sql`drop function ${sql.id(f)}()`.execute(db);
  await sql`drop table usage_days`.execute(db);
}
