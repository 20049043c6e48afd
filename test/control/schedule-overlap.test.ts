/**
 * Overlap `skip` on a real Temporal Schedule: a job whose step takes 150 s under a schedule
 * every minute. The tick that comes while the first run still runs is skipped (Temporal counts
 * it), and never is more than one of the schedule's processes running. Bounded to about three
 * minutes: the first tick, the skipped one, then the run is cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ControlDeps } from '../../control/deps.js';
import { cancelProcess } from '../../control/cancel-process.js';
import { createSchedule, deleteSchedule, describeSchedule } from '../../control/schedules.js';
import type { Ledger } from '../../ledger/connect.js';
import { eventually } from '../support/eventually.js';
import { ledgerOf, putJob, settled } from '../support/processes.js';
import { controlDepsOf, processesOf, stampJob } from '../support/schedules.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
let deps: ControlDeps;

beforeAll(async () => {
  stack = await startTestStack();
  db = ledgerOf(stack);
  deps = controlDepsOf(stack, db);
  // Slower than the schedule's spacing, and free to run several at once: only the overlap policy keeps it to one.
  await putJob(db, stampJob('slow-stamp', ['bash', '-c', 'echo "stamp $DROVER_PARAM_AT"; sleep 150']));
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.close();
});

describe('overlap skip', () => {
  it('skips the tick that comes while the run still runs: Temporal counts it skipped, and one process at most runs at a time', async () => {
    const id = 'slow-every-minute';
    const started = Date.now();
    await createSchedule(deps, { id, jobId: 'slow-stamp', cron: '* * * * *', parameters: { date: '{{scheduledDate}}', at: '{{scheduledTime}}' }, overlap: 'skip' });
    const handle = stack.client.schedule.getHandle(id);
    // The most processes of the schedule seen running together, by the ledger, each time the test looks.
    let mostRunning = 0;
    const look = async () => {
      const ps = await processesOf(db, id);
      mostRunning = Math.max(mostRunning, ps.filter((p) => p.status === 'RUNNING').length);
      return ps;
    };

    const [first] = await eventually('the first run to be running', async () => {
      const ps = await look();
      return ps.some((p) => p.status === 'RUNNING') && ps;
    }, 120_000);
    const skipped = await eventually('Temporal to skip a tick for the overlap', async () => {
      await look();
      const info = (await handle.describe()).info;
      return info.numActionsSkippedOverlap >= 1 && info;
    }, 120_000);
    console.log(`overlap skip: created to first skipped tick in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    expect(skipped.numActionsTaken).toBe(1);
    expect(skipped.runningActions.map((a) => a.workflow.workflowId)).toEqual([first!.processId]);
    const ps = await look();
    expect(ps.map((p) => [p.processId, p.status])).toEqual([[first!.processId, 'RUNNING']]);
    expect(mostRunning).toBe(1);
    const view = await describeSchedule(deps, id);
    expect(view.actions).toMatchObject({ taken: 1, running: [first!.processId] });
    expect(view.actions.skippedOverlap).toBeGreaterThanOrEqual(1);

    // Done: no more ticks, and the long step stopped rather than waited for.
    await deleteSchedule(deps, id);
    await cancelProcess(deps, first!.processId, { identity: 'test:overlap', reason: 'the test has seen the skip' });
    expect((await settled(stack, db, first!.processId)).status).toBe('CANCELLED');
    console.log(`overlap skip: whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);
});
