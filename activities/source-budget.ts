import { Context } from '@temporalio/activity';
import { readBudgetState, setBudgetControl } from '../budget/index.js';
import type { BudgetControl } from '../budget/control.js';
import type { SourceState } from '../contracts/credit-check.js';
import type { ActivityDeps } from './deps.js';

export function sourceBudgetActivities({ aws, config }: ActivityDeps) {
  return {
    /** Holds or releases the budget, or changes its limit: the children read both from the run table. */
    async controlSource({ table, ...control }: { table: string } & BudgetControl): Promise<void> {
      await setBudgetControl(aws.dynamodb, table, control, { maxConcurrency: config.source.maxConcurrency, maxRps: config.source.maxRps });
    },
  };
}

/**
 * The budget's state as the run's `progress` shows it, or undefined before any child has
 * reached the budget. Best effort: a failed read is made good by the next one.
 */
export async function readSourceState(deps: ActivityDeps, table: string): Promise<SourceState | undefined> {
  let state;
  try {
    state = await readBudgetState(deps.aws.dynamodb, table);
  } catch (err) {
    Context.current().log.warn('could not read the source budget', { error: String(err) });
    return undefined;
  }
  if (state.limit === 0) return undefined; // no child has reached the budget yet
  return { rate: state.rate, inFlight: state.inFlight, limit: state.limit, throttled429: state.throttled429 };
}
