import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SweepResult } from '../activities/sweep.js';

const { sweepOrphans } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Removes what terminated runs left behind; the stack starts it on a schedule. */
export async function sweeper(): Promise<SweepResult> {
  return sweepOrphans();
}
