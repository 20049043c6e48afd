import { BUILT_IN_JOBS } from '../catalog/built-in-jobs.js';
import { putJobVersion } from './catalog-store.js';
import type { Ledger } from './connect.js';

/** Puts drover's own jobs in the catalog; a version only when their description changed. */
export async function ensureBuiltInJobs(db: Ledger): Promise<void> {
  for (const { id, document } of BUILT_IN_JOBS) await putJobVersion(db, id, document, { builtIn: true });
}
