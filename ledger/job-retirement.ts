/**
 * A retired job fires no new processes and leaves the catalog's list, while its versions and
 * processes stay: the history of what ran is never deleted. Putting it again brings it back.
 */
import { sql } from 'kysely';
import type { Ledger } from './connect.js';
import { LedgerNotFoundError } from './errors.js';

/** When the job was retired, or null while it is in service. */
export async function jobRetiredAt(db: Ledger, jobId: string): Promise<Date | null> {
  const row = await db.selectFrom('jobs').select('retired_at').where('job_id', '=', jobId).executeTakeFirst();
  if (!row) throw new LedgerNotFoundError(`no job ${jobId} in the catalog`);
  return row.retired_at;
}

/** Retires the job; a job retired before keeps the time it was first retired. */
export async function retireJob(db: Ledger, jobId: string): Promise<Date> {
  const row = await db
    .updateTable('jobs')
    .set({ retired_at: sql`coalesce(retired_at, now())` })
    .where('job_id', '=', jobId)
    .returning('retired_at')
    .executeTakeFirst();
  if (!row) throw new LedgerNotFoundError(`no job ${jobId} in the catalog`);
  return row.retired_at!;
}

/** Puts a retired job back in service; nothing for one in service. */
export async function unretireJob(db: Ledger, jobId: string): Promise<void> {
  await db.updateTable('jobs').set({ retired_at: null }).where('job_id', '=', jobId).where('retired_at', 'is not', null).execute();
}
