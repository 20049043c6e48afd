import { Context } from '@temporalio/activity';
import { readBudgetState, setBudgetControl } from '../budget/index.js';
import { sourceStateSignal, type SourceState } from '../workflows/definitions.js';
import type { ActivityDeps } from './deps.js';
import { signalRun } from './signal-run.js';
import type { SourceControl } from './types.js';

/** How often a polling activity tells its run the budget's state: a signal each, so not often. */
export const SOURCE_STATE_EVERY_MS = 5000;

export function sourceBudgetActivities({ aws, config }: ActivityDeps) {
  return {
    /** Holds or releases the budget, or changes its limit: the children read both from the run table. */
    async controlSource({ table, ...control }: { table: string } & SourceControl): Promise<void> {
      await setBudgetControl(aws.dynamodb, table, control, { maxConcurrency: config.source.maxConcurrency, maxRps: config.source.maxRps });
    },
  };
}

/**
 * Reports the budget's state to the run that owns the polling activity, so `progress` shows
 * it. Best effort: a missed report is made good by the next one.
 */
export async function reportSourceState(deps: ActivityDeps, table: string): Promise<void> {
  if (!deps.temporal) return;
  let state;
  try {
    state = await readBudgetState(deps.aws.dynamodb, table);
  } catch (err) {
    Context.current().log.warn('could not read the source budget', { error: String(err) });
    return;
  }
  if (state.limit === 0) return; // no child has reached the budget yet
  const report: SourceState = { rate: state.rate, inFlight: state.inFlight, limit: state.limit, throttled429: state.throttled429 };
  await signalRun(deps, sourceStateSignal, report);
}
