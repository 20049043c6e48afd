import { ApplicationFailure } from '@temporalio/common';
import type { Ledger } from '../ledger/connect.js';
import type { ActivityDeps } from './deps.js';

/** The ledger, or a failure no retry mends: this worker was started without a database. */
export function requireLedger(deps: Pick<ActivityDeps, 'ledger'>): Ledger {
  if (deps.ledger) return deps.ledger;
  throw ApplicationFailure.create({
    message: 'this worker has no database: set DATABASE_URL, or start the stack with npm start',
    type: 'LEDGER_UNAVAILABLE',
    nonRetryable: true,
  });
}
