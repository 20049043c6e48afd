/**
 * Catching up on a real Temporal Schedule. With the worker stopped across a tick, Temporal
 * still starts that minute's run (the Schedule is Temporal's, not the worker's), which waits
 * for a worker and runs once one is back: exactly one process for that minute. With Temporal
 * itself down across a tick, the Schedule makes the missed run up when Temporal is back,
 * because the outage is inside the catch-up window.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dirname } from 'node:path';
import type { ControlDeps } from '../../control/deps.js';
import { createSchedule, deleteSchedule, updateSchedule } from '../../control/schedules.js';
import type { Ledger } from '../../ledger/connect.js';
import { Service } from '../../stack/service.js';
import { eventually } from '../support/eventually.js';
import { ledgerOf, putJob, settled } from '../support/processes.js';
import { controlDepsOf, nextMinute, nominalOf, processesOf, stampJob, utcDate } from '../support/schedules.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
let deps: ControlDeps;
const JOB = 'catch-stamp';
const STAMPED = { date: '{{scheduledDate}}', at: '{{scheduledTime}}' };

beforeAll(async () => {
  stack = await startTestStack();
  db = ledgerOf(stack);
  deps = controlDepsOf(stack, db);
  await putJob(db, stampJob(JOB));
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.close();
});

/**
 * Stops a service of the stack; the returned function starts it again as a new supervised
 * process (a stopped Service is done with its log), in the stack's map so the stack stops it.
 */
async function stopService(name: string): Promise<() => Promise<void>> {
  const stopped = stack.services.get(name)!;
  await stopped.stop();
  return async () => {
    const again = new Service(stopped.spec, dirname(stopped.logPath), () => undefined);
    stack.services.set(name, again);
    await again.start();
  };
}

describe('catch-up', () => {
  it('the worker stopped across a tick: Temporal starts that minute\'s run anyway, and it runs once, when the worker is back', async () => {
    const id = 'worker-away';
    const started = Date.now();
    const startWorker = await stopService('worker');
    await createSchedule(deps, { id, jobId: JOB, cron: '* * * * *', parameters: STAMPED });
    const handle = stack.client.schedule.getHandle(id);
    const action = await eventually('a tick with no worker', async () => (await handle.describe()).info.recentActions[0], 90_000);
    // One tick is the test: no more.
    await updateSchedule(deps, id, { paused: true, note: 'the test has its tick' });
    const missed = action.action.workflow.workflowId;
    const minute = action.scheduledAt.toISOString().replace('.000Z', 'Z');
    expect(nominalOf(missed, id)).toBe(minute);
    // Started, and waiting: no worker has run a line of it, so the ledger has not heard of it.
    expect((await stack.client.workflow.getHandle(missed).describe()).status.name).toBe('RUNNING');
    expect(await processesOf(db, id)).toEqual([]);

    await startWorker();
    const p = await settled(stack, db, missed);
    expect(p).toMatchObject({ status: 'SUCCEEDED', triggeredBy: `schedule:${id}`, parameters: { date: utcDate(minute), at: minute } });
    const info = (await handle.describe()).info;
    expect(info.numActionsTaken).toBe(1);
    expect((await processesOf(db, id)).filter((q) => q.parameters['at'] === minute)).toHaveLength(1);
    expect(await processesOf(db, id)).toHaveLength(info.numActionsTaken);
    await deleteSchedule(deps, id);
    console.log(`catch-up, worker away: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);

  it('Temporal down across a tick: the missed run is made up once Temporal is back, inside the catch-up window', async () => {
    const id = 'temporal-away';
    const started = Date.now();
    // allow-all: the first run may still be going when Temporal stops, and under skip the made-up one would be skipped for it.
    await createSchedule(deps, { id, jobId: JOB, cron: '* * * * *', parameters: STAMPED, catchupWindowSeconds: 600, overlap: 'allow-all' });
    const handle = stack.client.schedule.getHandle(id);
    // Down from a few seconds after one tick until a few seconds after the next: that tick is missed.
    const first = await eventually('the first tick', async () => (await handle.describe()).info.recentActions[0], 90_000);
    const missedMinute = nextMinute(new Date(first.scheduledAt.getTime() + 1000));
    const startTemporal = await stopService('temporal');
    await eventually('the next tick to pass while Temporal is down', () => Date.now() > missedMinute.getTime() + 5000, 90_000);
    await startTemporal();

    const minute = missedMinute.toISOString().replace('.000Z', 'Z');
    const made = await eventually('the missed run to be made up', async () => {
      const actions = (await handle.describe()).info.recentActions;
      return actions.find((a) => a.scheduledAt.getTime() === missedMinute.getTime());
    }, 120_000);
    // Taken late: after Temporal came back, not at its minute.
    expect(made.takenAt.getTime()).toBeGreaterThan(missedMinute.getTime() + 5000);
    await updateSchedule(deps, id, { paused: true, note: 'the test has its tick' });
    const p = await settled(stack, db, made.action.workflow.workflowId);
    expect(p).toMatchObject({ status: 'SUCCEEDED', triggeredBy: `schedule:${id}`, parameters: { date: utcDate(minute), at: minute } });
    expect((await processesOf(db, id)).filter((q) => q.parameters['at'] === minute)).toHaveLength(1);
    expect((await handle.describe()).info.numActionsMissedCatchupWindow).toBe(0);
    await deleteSchedule(deps, id);
    console.log(`catch-up, Temporal away: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);
});
