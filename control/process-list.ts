/**
 * Lists of processes as people see them: an open process whose workflow has closed is settled
 * first (control/process-settle.ts), and the list read again when one was, since its state, and
 * so whether a status filter takes it, changed.
 */
import { listProcesses, pageProcesses, type ProcessFilter, type ProcessPage, type ProcessPageFilter } from '../ledger/process-queries.js';
import type { ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';
import { settleIfClosed } from './process-settle.js';

async function settleAll(deps: Pick<ControlDeps, 'db' | 'temporal'>, processes: readonly ProcessView[]): Promise<boolean> {
  let settled = false;
  for (const p of processes) settled = (await settleIfClosed(deps.db, deps.temporal, p)) || settled;
  return settled;
}

/** `process list`: the newest processes. */
export async function currentProcesses(deps: Pick<ControlDeps, 'db' | 'temporal'>, filter: ProcessFilter): Promise<ProcessView[]> {
  const processes = await listProcesses(deps.db, filter);
  return (await settleAll(deps, processes)) ? listProcesses(deps.db, filter) : processes;
}

/** `GET /v1/processes`: one page. */
export async function currentPage(deps: Pick<ControlDeps, 'db' | 'temporal'>, filter: ProcessPageFilter): Promise<ProcessPage> {
  const page = await pageProcesses(deps.db, filter);
  return (await settleAll(deps, page.items)) ? pageProcesses(deps.db, filter) : page;
}
