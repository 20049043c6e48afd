/** StageTracker (workflows/stage-tracker.ts) in a workflow of its own: its timings and the DroverStage search attribute. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StageAttribute } from '../../contracts/search-attributes.js';
import { eventually } from '../support/eventually.js';
import { startHarness, type Harness } from './harness/env.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness('stage-tracker-tests', {});
}, 120_000);
afterAll(async () => harness?.stop());

describe('StageTracker', () => {
  it('shows the stage in DroverStage as the run goes, and times every stage but the first', async () => {
    const handle = await harness.env.client.workflow.start('stageTrackerHarness', {
      taskQueue: harness.taskQueue,
      workflowId: 'stages',
      args: [['validate', 'ingest', 'done'], 700],
    });
    await eventually('the run in its ingest stage', async () => (await handle.describe()).typedSearchAttributes.get(StageAttribute) === 'ingest');
    const result = await handle.result();
    expect(result.entered).toEqual(['validate', 'ingest', 'done']);
    expect(result.current).toBe('done');
    // The first stage ('starting') is not timed, and the stage the run is in has not ended.
    expect(Object.keys(result.seconds).sort()).toEqual(['ingest', 'validate']);
    expect(result.seconds.validate).toBeGreaterThanOrEqual(0.7);
    expect(result.seconds.ingest).toBeGreaterThanOrEqual(0.7);
    expect((await handle.describe()).typedSearchAttributes.get(StageAttribute)).toBe('done');
  });
});
