/** What the schedule tests share: control's deps on a test stack, a job to schedule, and a schedule's processes as the ledger has them. */
import type { ControlDeps } from '../../control/deps.js';
import type { Ledger } from '../../ledger/connect.js';
import { showProcess } from '../../ledger/process-queries.js';
import type { ProcessView } from '../../ledger/process-store.js';
import type { TestStack } from './test-stack.js';

export function controlDepsOf(stack: TestStack, db: Ledger): ControlDeps {
  return { db, temporal: () => stack.client, aws: () => stack.aws, config: stack.config };
}

/**
 * A job whose one step echoes its parameters: `date` must be a date and `at` a date-time, so
 * a placeholder left unfilled fails the process. Many processes may run at once.
 */
export function stampJob(id: string, step: string[] = ['bash', '-c', 'echo "stamp $DROVER_PARAM_DATE $DROVER_PARAM_AT"']): Record<string, unknown> {
  return {
    id,
    name: `Stamp ${id}`,
    parameters: {
      type: 'object',
      properties: { date: { type: 'string', format: 'date' }, at: { type: 'string', format: 'date-time' }, tag: { type: 'string' } },
      required: ['date', 'at'],
      additionalProperties: false,
    },
    maxConcurrentProcesses: 10,
    steps: [{ name: 'stamp', command: step, vcpus: 0.25, memoryMiB: 128 }],
  };
}

/** The processes a schedule started, as the ledger has them, oldest first. */
export async function processesOf(db: Ledger, scheduleId: string): Promise<ProcessView[]> {
  const rows = await db.selectFrom('processes').select('process_id').where('triggered_by', '=', `schedule:${scheduleId}`).orderBy('created_at').execute();
  return Promise.all(rows.map((r) => showProcess(db, r.process_id)));
}

/** The nominal time Temporal put at the end of a scheduled run's workflow id (`<schedule id>-2026-03-08T08:30:00Z`). */
export function nominalOf(workflowId: string, scheduleId: string): string {
  return workflowId.slice(scheduleId.length + 1);
}

/** YYYY-MM-DD of an ISO time in UTC: the test's own oracle for `{{scheduledDate}}` of a UTC schedule. */
export const utcDate = (iso: string): string => iso.slice(0, 10);

/** The minute boundary at or after `t`. */
export function nextMinute(t: Date): Date {
  return new Date(Math.ceil(t.getTime() / 60_000) * 60_000);
}
