/**
 * Schedules on real Temporal Schedules, through the embedded stack (Temporal, PostgreSQL, the
 * Batch executor and a worker): every run is runJob doing the job's step for real. The oracle
 * of a run's `{{scheduledTime}}` is the nominal time Temporal put in its workflow id and its
 * recent actions, never drover's own renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScheduleHandle } from '@temporalio/client';
import { JobParametersError, type Problem } from '../../catalog/job-definition.js';
import { SWEEPER_SCHEDULE_ID } from '../../contracts/sweeper.js';
import type { ControlDeps } from '../../control/deps.js';
import { ScheduleBackfillError, ScheduleExistsError, ScheduleNotFoundError } from '../../control/schedule-errors.js';
import { backfillSchedule, triggerSchedule } from '../../control/schedule-runs.js';
import { createSchedule, deleteSchedule, describeSchedule, jobHasSchedules, listSchedules, updateSchedule } from '../../control/schedules.js';
import type { Ledger } from '../../ledger/connect.js';
import { eventually } from '../support/eventually.js';
import { ensureBuiltInJobs } from '../../ledger/built-in-jobs.js';
import { ledgerOf, putJob, settled } from '../support/processes.js';
import { controlDepsOf, nextMinute, nominalOf, processesOf, stampJob, utcDate } from '../support/schedules.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
let deps: ControlDeps;
const scratch = mkdtempSync(join(tmpdir(), 'drover-schedules-'));
const JOB = 'stamp';
const STAMPED = { date: '{{scheduledDate}}', at: '{{scheduledTime}}' };
const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

beforeAll(async () => {
  stack = await startTestStack();
  db = ledgerOf(stack);
  deps = controlDepsOf(stack, db);
  await ensureBuiltInJobs(db);
  await putJob(db, stampJob(JOB));
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const temporalSchedule = (id: string): ScheduleHandle => stack.client.schedule.getHandle(id);

async function refusal(work: () => Promise<unknown>): Promise<{ code: string; problems: Problem[] }> {
  const err = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  return { code: (err as { code: string }).code, problems: (err as { problems?: Problem[] }).problems ?? [] };
}

describe('creating a schedule', () => {
  it('names each field refused: a bad cron and zone, an unknown or built-in job, parameters the job\'s schema refuses; Temporal is left without it', async () => {
    const bad = await refusal(() => createSchedule(deps, { id: 'bad', jobId: JOB, cron: '61 * * * *', timezone: 'Mars/Olympus_Mons', parameters: STAMPED }));
    expect(bad.code).toBe('SCHEDULE_INVALID');
    expect(bad.problems.map((p) => p.path)).toEqual(['/cron', '/timezone']);
    expect(bad.problems[0]!.message).toMatch(/^the minute field "61" is not valid/);
    expect(bad.problems[1]!.message).toBe('"Mars/Olympus_Mons" is not an IANA time zone name (such as UTC or America/Chicago)');

    expect((await refusal(() => createSchedule(deps, { id: 'bad', jobId: 'no-such-job', cron: '0 2 * * *' }))).problems).toEqual([{ path: '/jobId', message: 'no job no-such-job in the catalog' }]);
    const builtIn = await refusal(() => createSchedule(deps, { id: 'bad', jobId: 'credit-check', cron: '0 2 * * *', parameters: { key: 'incoming/x.xlsx' } }));
    expect(builtIn.problems.map((p) => p.path)).toEqual(['/jobId']);
    expect(builtIn.problems[0]!.message).toContain('cannot be scheduled');

    const params = await refusal(() => createSchedule(deps, { id: 'bad', jobId: JOB, cron: '0 2 * * *', parameters: { date: 'the {{scheduledDate}}', at: '{{scheduledTime}}' } }));
    expect(params.code).toBe('SCHEDULE_INVALID');
    expect(params.problems.map((p) => p.path)).toEqual(['/parameters/date']);
    expect(params.problems[0]!.message).toContain('must match format "date"');

    await expect(temporalSchedule('bad').describe()).rejects.toThrow(/not found/);
  });

  it('an id taken is SCHEDULE_EXISTS; the sweeper\'s Temporal Schedule is none of drover\'s', async () => {
    const doc = await createSchedule(deps, { id: 'taken', jobId: JOB, cron: '0 2 * * *', parameters: STAMPED, paused: true });
    expect(doc).toEqual({ id: 'taken', jobId: JOB, cron: '0 2 * * *', timezone: 'UTC', parameters: STAMPED, overlap: 'skip', catchupWindowSeconds: 3600, paused: true, note: '' });
    await expect(createSchedule(deps, { id: 'taken', jobId: JOB, cron: '0 3 * * *', parameters: STAMPED })).rejects.toBeInstanceOf(ScheduleExistsError);
    expect(await describeSchedule(deps, 'taken')).toMatchObject(doc);
    await eventually('Temporal\'s list to show that the job has a schedule', () => jobHasSchedules(stack.client, JOB));

    // The stack made the sweeper's Schedule; Temporal has it, drover does not show it.
    expect((await temporalSchedule(SWEEPER_SCHEDULE_ID).describe()).scheduleId).toBe(SWEEPER_SCHEDULE_ID);
    await expect(describeSchedule(deps, SWEEPER_SCHEDULE_ID)).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expect(createSchedule(deps, { id: SWEEPER_SCHEDULE_ID, jobId: JOB, cron: '0 2 * * *', parameters: STAMPED })).rejects.toBeInstanceOf(ScheduleExistsError);
    await eventually('the list to show the new schedule', async () => (await listSchedules(deps)).some((s) => s.id === 'taken'));
    expect((await listSchedules(deps)).map((s) => s.id)).not.toContain(SWEEPER_SCHEDULE_ID);

    await deleteSchedule(deps, 'taken');
    await expect(describeSchedule(deps, 'taken')).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await expect(deleteSchedule(deps, 'taken')).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

/** The every-minute schedule: paused in its tests, and checked at the end of the file, by when a minute has surely turned. */
const EVERY_MINUTE = 'every-minute';
let pausedAt: Date;
let takenWhenPaused: number;
/** The run the trigger started while paused. */
let triggeredId: string;

describe('a schedule every minute', () => {
  const id = EVERY_MINUTE;

  it('fires within about a minute: its process SUCCEEDED, triggered by schedule:<id>, its parameters filled from its nominal time', async () => {
    const created = Date.now();
    await createSchedule(deps, { id, jobId: JOB, cron: '* * * * *', parameters: STAMPED });
    const [first] = await eventually('the first scheduled process to succeed', async () => {
      const ps = await processesOf(db, id);
      return ps.length > 0 && ps[0]!.status === 'SUCCEEDED' && ps;
    }, 150_000);
    console.log(`every-minute: created to first run SUCCEEDED in ${((Date.now() - created) / 1000).toFixed(1)} s`);

    const nominal = nominalOf(first!.processId, id);
    expect(nominal).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(first).toMatchObject({ jobId: JOB, version: 1, status: 'SUCCEEDED', triggeredBy: `schedule:${id}`, parameters: { date: utcDate(nominal), at: nominal } });
    const temporal = await temporalSchedule(id).describe();
    expect(temporal.info.recentActions.map((a) => [a.action.workflow.workflowId, a.scheduledAt.toISOString()])).toContainEqual([first!.processId, nominal.replace('Z', '.000Z')]);

    const view = await describeSchedule(deps, id);
    expect(view).toMatchObject({ id, jobId: JOB, cron: '* * * * *', timezone: 'UTC', paused: false, note: '' });
    expect(view.nextRunTimes).toHaveLength(5);
    for (const [i, t] of view.nextRunTimes.entries()) {
      expect(t).toMatch(/:00\.000Z$/);
      if (i > 0) expect(Date.parse(t) - Date.parse(view.nextRunTimes[i - 1]!)).toBe(60_000);
    }
    expect(view.recentProcesses.map((p) => p.processId)).toContain(first!.processId);
    expect(view.actions.taken).toBeGreaterThanOrEqual(1);
  }, 200_000);

  it('paused with a note: drover and Temporal both say so', async () => {
    const doc = await updateSchedule(deps, id, { paused: true, note: 'partner feed is down' });
    pausedAt = new Date();
    expect(doc).toMatchObject({ id, paused: true, note: 'partner feed is down', cron: '* * * * *' });
    expect(await describeSchedule(deps, id)).toMatchObject({ paused: true, note: 'partner feed is down' });
    const temporal = await temporalSchedule(id).describe();
    expect(temporal.state).toMatchObject({ paused: true, note: 'partner feed is down' });
    takenWhenPaused = temporal.info.numActionsTaken;
  });

  it('trigger runs it now, paused or not, with the schedule\'s parameters filled for now', async () => {
    const { processId, startedBy } = await triggerSchedule(deps, id);
    expect(startedBy).toBe('schedule');
    expect(processId).not.toBeNull();
    triggeredId = processId!;
    const p = await settled(stack, db, processId!);
    const nominal = nominalOf(processId!, id);
    expect(nominal).toMatch(ISO_SECOND);
    expect(Date.parse(nominal)).toBeGreaterThanOrEqual(Math.floor(pausedAt.getTime() / 1000) * 1000);
    expect(p).toMatchObject({ status: 'SUCCEEDED', triggeredBy: `schedule:${id}`, parameters: { date: utcDate(nominal), at: nominal } });
    expect((await temporalSchedule(id).describe()).info.numActionsTaken).toBe(takenWhenPaused + 1);
  }, 120_000);

  it('trigger with parameters overrides the schedule\'s for that run, started directly and triggered by the schedule; bad ones are refused by field', async () => {
    const { processId, startedBy } = await triggerSchedule(deps, id, { parameters: { tag: 'by hand' } });
    expect(startedBy).toBe('direct');
    const p = await settled(stack, db, processId!);
    expect(p).toMatchObject({ status: 'SUCCEEDED', triggeredBy: `schedule:${id}`, parameters: { tag: 'by hand' } });
    expect(p.parameters['at']).toMatch(ISO_SECOND);
    expect(p.parameters['date']).toBe(utcDate(p.parameters['at'] as string));

    const err = await triggerSchedule(deps, id, { parameters: { date: 'yesterday' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobParametersError);
    expect((err as JobParametersError).problems).toEqual([{ path: '/date', message: 'must match format "date"' }]);
    // Neither started a Temporal action.
    expect((await temporalSchedule(id).describe()).info.numActionsTaken).toBe(takenWhenPaused + 1);
  }, 120_000);
});

describe('backfill', () => {
  it('of a 3-minute range makes the 3 runs the cron names, each with its own minute as scheduledTime', async () => {
    const id = 'backfill-three';
    await createSchedule(deps, { id, jobId: JOB, cron: '* * * * *', parameters: STAMPED, paused: true, overlap: 'buffer-all' });
    // Ten minutes back, whole minutes: the oracle's three minutes are base+1..base+3.
    const base = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const expected = [1, 2, 3].map((m) => new Date(base + m * 60_000).toISOString().replace('.000Z', 'Z'));
    expect(await backfillSchedule(deps, id, { start: new Date(base + 30_000), end: new Date(base + 3 * 60_000 + 30_000) })).toEqual({ runs: 3 });

    const ps = await eventually('three backfilled processes to succeed', async () => {
      const all = await processesOf(db, id);
      return all.length === 3 && all.every((p) => p.status === 'SUCCEEDED') && all;
    }, 150_000);
    expect(ps.map((p) => p.parameters['at']).sort()).toEqual(expected);
    expect(ps.map((p) => p.parameters['date']).sort()).toEqual(expected.map(utcDate));
    expect(ps.map((p) => nominalOf(p.processId, id)).sort()).toEqual(expected);
    await deleteSchedule(deps, id);
  }, 200_000);

  it('refuses a range backwards, in the future or of more than 1000 runs, naming /end', async () => {
    const id = 'backfill-refused';
    await createSchedule(deps, { id, jobId: JOB, cron: '* * * * *', parameters: STAMPED, paused: true });
    const now = Date.now();
    const cases: Array<[Date, Date, RegExp]> = [
      [new Date(now - 60_000), new Date(now - 120_000), /^must be after start/],
      [new Date(now - 60_000), new Date(now + 3_600_000), /^is in the future/],
      [new Date(now - 2 * 86_400_000), new Date(now - 60_000), /^the range holds more than 1000 runs/],
    ];
    for (const [start, end, message] of cases) {
      const err = await backfillSchedule(deps, id, { start, end }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScheduleBackfillError);
      expect((err as ScheduleBackfillError).problems).toEqual([{ path: '/end', message: expect.stringMatching(message) }]);
    }
    expect((await temporalSchedule(id).describe()).info.numActionsTaken).toBe(0);
    await deleteSchedule(deps, id);
  });

  it('around daylight saving in Chicago: 02:30 on the spring day does not happen and is skipped; 01:30 on the autumn day happens twice and runs twice', async () => {
    await createSchedule(deps, { id: 'dst-spring', jobId: JOB, cron: '30 2 * * *', timezone: 'America/Chicago', parameters: STAMPED, paused: true, overlap: 'allow-all' });
    await createSchedule(deps, { id: 'dst-autumn', jobId: JOB, cron: '30 1 * * *', timezone: 'America/Chicago', parameters: STAMPED, paused: true, overlap: 'allow-all' });
    // 2025-03-09: 02:00 CST (UTC-6) became 03:00 CDT (UTC-5). 2025-11-02: 02:00 CDT became 01:00 CST. Worked out by hand.
    await backfillSchedule(deps, 'dst-spring', { start: new Date('2025-03-08T00:00:00Z'), end: new Date('2025-03-11T00:00:00Z') });
    await backfillSchedule(deps, 'dst-autumn', { start: new Date('2025-11-01T12:00:00Z'), end: new Date('2025-11-03T00:00:00Z') });

    const settledRuns = async (id: string, n: number) =>
      eventually(`${n} processes of ${id} to succeed`, async () => {
        const all = await processesOf(db, id);
        return all.length === n && all.every((p) => p.status === 'SUCCEEDED') && all;
      }, 150_000);
    const spring = await settledRuns('dst-spring', 2);
    expect(spring.map((p) => [nominalOf(p.processId, 'dst-spring'), p.parameters['date']]).sort()).toEqual([
      ['2025-03-08T08:30:00Z', '2025-03-08'], // 02:30 CST
      ['2025-03-10T07:30:00Z', '2025-03-10'], // 02:30 CDT; none on the 9th
    ]);
    const autumn = await settledRuns('dst-autumn', 2);
    expect(autumn.map((p) => [nominalOf(p.processId, 'dst-autumn'), p.parameters['date']]).sort()).toEqual([
      ['2025-11-02T06:30:00Z', '2025-11-02'], // 01:30 CDT
      ['2025-11-02T07:30:00Z', '2025-11-02'], // 01:30 CST, an hour later
    ]);
    await deleteSchedule(deps, 'dst-spring');
    await deleteSchedule(deps, 'dst-autumn');
  }, 200_000);
});

describe('drover schedule on the command line', () => {
  function drover(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [join(process.cwd(), 'bin', 'drover.js'), ...args], { env: stack.env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  }

  it('creates, lists, shows, pauses, unpauses and deletes; a bad cron exits 2 naming /cron', async () => {
    const file = join(scratch, 'nightly.json');
    writeFileSync(file, JSON.stringify({ id: 'cli-nightly', jobId: JOB, cron: '30 2 * * *', timezone: 'America/Chicago', parameters: STAMPED }));
    const created = await drover('schedule', 'create', file, '--json');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'cli-nightly', cron: '30 2 * * *', timezone: 'America/Chicago', overlap: 'skip', catchupWindowSeconds: 3600 });

    const shown = await drover('schedule', 'show', 'cli-nightly', '--json');
    expect(shown.status).toBe(0);
    const view = JSON.parse(shown.stdout) as { nextRunTimes: string[]; recentProcesses: unknown[] };
    expect(view.nextRunTimes).toHaveLength(5);
    // 02:30 in Chicago is 07:30 or 08:30 UTC, by the season.
    for (const t of view.nextRunTimes) expect(t).toMatch(/T0[78]:30:00\.000Z$/);
    expect(view.recentProcesses).toEqual([]);

    const paused = await drover('schedule', 'pause', 'cli-nightly', '--note', 'holiday');
    expect([paused.status, paused.stdout.trim()]).toEqual([0, 'schedule cli-nightly paused: holiday']);
    const listed = await eventually('the list to show it', async () => {
      const ran = await drover('schedule', 'list', '--json');
      const rows = ran.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; paused: boolean; note: string });
      return rows.find((r) => r.id === 'cli-nightly');
    });
    expect(listed).toMatchObject({ paused: true, note: 'holiday' });
    expect((await drover('schedule', 'unpause', 'cli-nightly')).stdout.trim()).toBe('schedule cli-nightly unpaused');

    const badFile = join(scratch, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ id: 'cli-bad', jobId: JOB, cron: '0 0 L * *' }));
    const bad = await drover('schedule', 'create', badFile);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('/cron: the day-of-month field "L" is not one drover reads');

    expect((await drover('schedule', 'delete', 'cli-nightly')).status).toBe(0);
    const gone = await drover('schedule', 'show', 'cli-nightly');
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain('no schedule cli-nightly');
  }, 120_000);
});

describe('the every-minute schedule, paused since its tests above', () => {
  const id = EVERY_MINUTE;

  it('started no run of its own while paused (checked once a minute has turned since the pause), and is deleted with its processes kept', async () => {
    const turn = nextMinute(new Date(pausedAt.getTime() + 1000)).getTime() + 5000;
    await eventually('a minute to turn since the pause', () => Date.now() > turn, 90_000);
    const temporal = await temporalSchedule(id).describe();
    expect(temporal.state.paused).toBe(true);
    expect(temporal.info.numActionsTaken).toBe(takenWhenPaused + 1);
    // The runs the cron made since the pause, by their nominal times (on the minute): none. The trigger's ran.
    const processes = await processesOf(db, id);
    const cronSincePause = processes.filter((p) => p.processId.startsWith(`${id}-`) && p.processId !== triggeredId && Date.parse(nominalOf(p.processId, id)) > pausedAt.getTime());
    expect(cronSincePause).toEqual([]);
    expect(processes.map((p) => p.processId)).toContain(triggeredId);

    expect(await updateSchedule(deps, id, { paused: false })).toMatchObject({ paused: false, note: 'partner feed is down' });
    const kept = (await processesOf(db, id)).length;
    await deleteSchedule(deps, id);
    await expect(temporalSchedule(id).describe()).rejects.toThrow(/not found/);
    expect((await processesOf(db, id)).length).toBeGreaterThanOrEqual(kept);
  }, 120_000);
});
