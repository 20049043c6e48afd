/** Compensations (workflows/compensations.ts) in a workflow of its own, run when the workflow is cancelled. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { eventually } from '../support/eventually.js';
import { startHarness, type Harness } from './harness/env.js';

const undone: number[] = [];
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness('compensations-tests', {
    async undo(step: number) {
      undone.push(step);
      if (step === 1) throw ApplicationFailure.nonRetryable('step 1 cannot be undone', 'UNDO_FAILED');
    },
  });
}, 120_000);
afterAll(async () => harness?.stop());

describe('Compensations', () => {
  it('on cancellation runs every undo step once, in reverse order, past one that fails', async () => {
    const handle = await harness.env.client.workflow.start('compensationsHarness', { taskQueue: harness.taskQueue, workflowId: 'compensations', args: [3] });
    await eventually('the workflow to wait', async () => (await handle.describe()).historyLength >= 3);
    await handle.cancel();
    expect(await handle.result()).toBe('compensated');
    expect(undone).toEqual([2, 1, 0]);
  });
});
