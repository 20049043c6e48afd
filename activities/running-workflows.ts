/**
 * Which of some workflows are still running, from Temporal's visibility: one list query per
 * hundred ids instead of a describe each. Visibility lags a moment behind: a workflow that
 * closed just now may still be listed as running, and one started just now not yet listed.
 */
import type { Client } from '@temporalio/client';

const IDS_PER_QUERY = 100;

export async function runningWorkflowIds(client: Client, workflowIds: readonly string[]): Promise<Set<string>> {
  const running = new Set<string>();
  for (let i = 0; i < workflowIds.length; i += IDS_PER_QUERY) {
    const slice = workflowIds.slice(i, i + IDS_PER_QUERY);
    const ids = slice.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ');
    for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowId IN (${ids})`, pageSize: slice.length })) running.add(w.workflowId);
  }
  return running;
}
