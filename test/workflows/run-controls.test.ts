/** RunControls (workflows/run-controls.ts) in a workflow of its own: the signals' effects, and budget changes passed on. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BudgetControl } from '../../budget/control.js';
import { pauseSignal, resumeSignal, setMaxInFlightSignal, setSourceLimitSignal } from '../../contracts/credit-check.js';
import { eventually } from '../support/eventually.js';
import { startHarness, type Harness } from './harness/env.js';
import { controlledQuery, followSignal, stopSignal } from './harness/workflows.js';

const applied: BudgetControl[] = [];
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness('run-controls-tests', {
    async controlBudget(change: BudgetControl) {
      applied.push(change);
    },
  });
}, 120_000);
afterAll(async () => harness?.stop());

describe('RunControls', () => {
  it('changes the run at once, keeps budget changes until they can be passed on, merged, and passes later ones on as they come', async () => {
    const handle = await harness.env.client.workflow.start('runControlsHarness', { taskQueue: harness.taskQueue, workflowId: 'controls', args: [2] });
    await handle.signal(pauseSignal, { source: true });
    await handle.signal(setMaxInFlightSignal, { jobs: 3, source: 7 });
    // One handler for both signals that set the source's limit: the later word wins.
    await handle.signal(setSourceLimitSignal, 5);
    // Ignored: not whole numbers of at least 1.
    await handle.signal(setMaxInFlightSignal, 0);
    await handle.signal(setSourceLimitSignal, 1.5);
    await handle.signal(setMaxInFlightSignal, { source: 0 });
    expect(await handle.query(controlledQuery)).toEqual({ paused: true, sourcePaused: true, maxInFlight: 3 });
    expect(applied).toEqual([]);

    await handle.signal(followSignal);
    await eventually('the held changes passed on', async () => applied.length === 1);
    expect(applied).toEqual([{ paused: true, maxConcurrency: 5 }]);

    await handle.signal(setMaxInFlightSignal, 4);
    await handle.signal(resumeSignal);
    await eventually('the resume passed on', async () => applied.length === 2);
    expect(applied[1]).toEqual({ paused: false });
    expect(await handle.query(controlledQuery)).toEqual({ paused: false, sourcePaused: false, maxInFlight: 4 });

    // A plain pause leaves the budget alone.
    await handle.signal(pauseSignal);
    await handle.signal(stopSignal);
    expect(await handle.result()).toEqual({ paused: true, sourcePaused: false, maxInFlight: 4 });
    expect(applied).toHaveLength(2);
  });
});
