/**
 * Catalog processes for tests: a job put straight into the ledger and a process fired the
 * way the CLI fires one (its row, then its workflow), without going through the CLI.
 */
import { randomBytes } from 'node:crypto';
import { parseJob } from '../../catalog/job-definition.js';
import { putJobVersion } from '../../ledger/catalog-store.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { showProcess } from '../../ledger/process-queries.js';
import { createProcess, type ProcessView } from '../../ledger/process-store.js';
import { RUN_JOB_WORKFLOW, type RunJobInput } from '../../workflows/definitions.js';
import type { TestStack } from './test-stack.js';

export function ledgerOf(stack: TestStack): Ledger {
  const url = stack.env.DATABASE_URL;
  if (!url) throw new Error('the test stack has no DATABASE_URL');
  return openLedger(url, { maxConnections: 4 });
}

export async function putJob(db: Ledger, document: Record<string, unknown>): Promise<number> {
  const job = parseJob(document);
  return (await putJobVersion(db, job.id, document)).version;
}

export function newProcessId(jobId: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${jobId}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function fireProcess(stack: TestStack, db: Ledger, document: Record<string, unknown>, parameters: Record<string, unknown> = {}): Promise<string> {
  const version = await putJob(db, document);
  const job = parseJob(document);
  const processId = newProcessId(job.id);
  await createProcess(db, { processId, jobId: job.id, version, triggeredBy: 'cli:test', parameters, tasks: job.steps.map((s, position) => ({ name: s.name, position })) });
  const input: RunJobInput = { processId, jobId: job.id, version, parameters, triggeredBy: 'cli:test' };
  await stack.client.workflow.start(RUN_JOB_WORKFLOW, { workflowId: processId, taskQueue: stack.config.temporal.taskQueue, args: [input] });
  return processId;
}

/** Waits for the process's workflow to close, whatever its end, and returns the process as the ledger has it. */
export async function settled(stack: TestStack, db: Ledger, processId: string): Promise<ProcessView> {
  await stack.client.workflow.getHandle(processId).result().catch(() => undefined);
  return showProcess(db, processId);
}
