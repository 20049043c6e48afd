/** fanOut and WorkFeed (workflows/fan-out.ts) in a workflow of their own, with a stub activity per item. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { eventually } from '../support/eventually.js';
import { startHarness, type Harness } from './harness/env.js';
import { addSignal, completeSignal, fanOutStateQuery, gateSignal } from './harness/workflows.js';

/** Items the stub holds until the test lets them go, and what became of each. */
const held = new Set<number>();
const cancelled = new Set<number>();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness('fan-out-tests', {
    async work(item: number) {
      const ctx = Context.current();
      if (item === 99) throw ApplicationFailure.nonRetryable('item 99 is bad', 'BAD_ITEM');
      try {
        while (held.has(item)) {
          ctx.heartbeat();
          await ctx.sleep(50);
        }
      } catch (err) {
        cancelled.add(item);
        throw err;
      }
    },
  });
}, 120_000);

afterAll(async () => harness?.stop());

const start = (id: string, options: { asTheyCome: boolean; maxInFlight: number; paused?: boolean }) =>
  harness.env.client.workflow.start('fanOutHarness', { taskQueue: harness.taskQueue, workflowId: id, args: [options] });

describe('fanOut', () => {
  it('runs the items in order as they come, at most maxInFlight at once, an item told twice once', async () => {
    [0, 1, 2, 3, 4].forEach((i) => held.add(i));
    const handle = await start('fan-out-limit', { asTheyCome: true, maxInFlight: 2 });
    for (const i of [0, 1, 2, 1, 3, 4]) await handle.signal(addSignal, i);
    await eventually('five items in the feed', async () => (await handle.query(fanOutStateQuery)).added === 5);
    // Held at two while the first two run.
    expect(await handle.query(fanOutStateQuery)).toMatchObject({ running: 2, done: 0, started: [0, 1] });
    await handle.signal(gateSignal, { maxInFlight: 3 });
    await eventually('a third item running', async () => (await handle.query(fanOutStateQuery)).running === 3);
    [0, 1, 2, 3, 4].forEach((i) => held.delete(i));
    await handle.signal(completeSignal);
    const result = await handle.result();
    expect(result).toEqual({ running: 0, done: 5, mostAtOnce: 3, started: [0, 1, 2, 3, 4], added: 5, complete: true });
  });

  it('starts nothing while paused, and everything once resumed', async () => {
    const handle = await start('fan-out-paused', { asTheyCome: true, maxInFlight: 4, paused: true });
    for (const i of [10, 11, 12]) await handle.signal(addSignal, i);
    await handle.signal(completeSignal);
    await eventually('the feed complete', async () => (await handle.query(fanOutStateQuery)).complete);
    expect(await handle.query(fanOutStateQuery)).toMatchObject({ added: 3, running: 0, done: 0, started: [] });
    await handle.signal(gateSignal, { paused: false });
    expect(await handle.result()).toMatchObject({ done: 3, started: [10, 11, 12] });
  });

  it('unless items run as they come, waits for the feed to be complete', async () => {
    const handle = await start('fan-out-complete-first', { asTheyCome: false, maxInFlight: 4 });
    for (const i of [20, 21]) await handle.signal(addSignal, i);
    await eventually('two items in the feed', async () => (await handle.query(fanOutStateQuery)).added === 2);
    expect(await handle.query(fanOutStateQuery)).toMatchObject({ running: 0, done: 0, started: [] });
    await handle.signal(completeSignal);
    expect(await handle.result()).toMatchObject({ done: 2, started: [20, 21] });
  });

  it('on an item\'s failure stops the items in flight, waits for them, and fails with that failure', async () => {
    held.add(30);
    const handle = await start('fan-out-failure', { asTheyCome: true, maxInFlight: 4 });
    await handle.signal(addSignal, 30);
    await eventually('item 30 running', async () => (await handle.query(fanOutStateQuery)).running === 1);
    await handle.signal(addSignal, 99);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect((cause as ActivityFailure).cause).toMatchObject({ type: 'BAD_ITEM', message: 'item 99 is bad' });
    // Item 30 was still held: it stopped because it was cancelled, before the workflow ended.
    expect(cancelled.has(30)).toBe(true);
    held.delete(30);
    expect(await handle.query(fanOutStateQuery)).toMatchObject({ running: 0, done: 0, started: [30, 99] });
  });
});
