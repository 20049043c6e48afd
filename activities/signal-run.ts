import { Context } from '@temporalio/activity';
import type { SignalDefinition } from '@temporalio/common';
import type { ActivityDeps } from './deps.js';

/**
 * Signals the run that owns the current activity. Best effort, for news the run also learns
 * another way: a failed signal is logged, not thrown, so it never fails the activity.
 */
export async function signalRun<Args extends unknown[]>({ temporal }: Pick<ActivityDeps, 'temporal'>, signal: SignalDefinition<Args>, ...args: Args): Promise<void> {
  const ctx = Context.current();
  const workflowId = ctx.info.workflowExecution?.workflowId;
  if (!temporal || !workflowId) return;
  try {
    await temporal.workflow.getHandle(workflowId).signal(signal, ...args);
  } catch (err) {
    ctx.log.warn(`could not signal ${signal.name}`, { error: String(err) });
  }
}
