import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { SWEEPER_SCHEDULE_ID, SWEEPER_WORKFLOW } from '../workflows/definitions.js';

/** The schedule that starts the sweeper; an existing one is left as it is. */
export async function ensureSweeperSchedule(config: Config): Promise<'created' | 'exists'> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    await client.schedule.create({
      scheduleId: SWEEPER_SCHEDULE_ID,
      spec: { intervals: [{ every: `${config.batch.sweepMinutes} minutes` }] },
      action: { type: 'startWorkflow', workflowType: SWEEPER_WORKFLOW, taskQueue: config.temporal.taskQueue, workflowId: `${SWEEPER_SCHEDULE_ID}-run` },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  } finally {
    await connection.close();
  }
}
