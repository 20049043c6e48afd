/**
 * Lists of processes as people see them: an open process whose workflow has closed is settled
 * first (control/process-settle.ts), and the list read again when one was, since its state, and
 * so whether a status filter takes it, changed.
 */
import { listProcesses, pageProcesses, type ProcessFilter, type ProcessPage, type ProcessPageFilter } from '../ledger/process-queries.js';
import type { ProcessView } from '../ledger/process-store.js';
import type { ControlDeps } from './deps.js';
import { runningWorkflowIds } from '../activities/running-workflows.js';
import { isOpen, settleIfClosed } from './process-settle.js';

/**
 * Settles the open processes of a page whose workflows have closed. One visibility query
 * finds which of them are still running, so a page of 50 running processes costs one call to
 * Temporal, not 50; only those it does not list (closed, or too new to be listed yet) are
 * asked about one by one. Visibility lags by a moment: a workflow closed just now is settled
 * by the next read.
 */
async function settleAll(deps: Pick<ControlDeps, 'db' | 'temporal'>, processes: readonly ProcessView[]): Promise<boolean> {
  const open = processes.filter(isOpen);
  if (open.length === 0) return false;
  const running = await runningWorkflowIds(await deps.temporal(), open.map((p) => p.processId));
  let settled = false;
  for (const p of open) if (!running.has(p.processId)) settled = (await settleIfClosed(deps.db, deps.temporal, p)) || settled;
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
