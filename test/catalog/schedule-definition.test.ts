import { describe, expect, it } from '@jest/globals';
import { cronProblems, cronTimesBetween } from '../../catalog/cron-expression.js';
import type { Problem } from '../../catalog/job-definition.js';
import { applySchedulePatch, parseSchedule, parseSchedulePatch, ScheduleInvalidError } from '../../catalog/schedule-definition.js';
import { timezoneProblem } from '../../catalog/time-zone.js';

/** The example schedule. */
const nightly = () => ({
  id: 'partner-feeds-nightly',
  jobId: 'partner-feeds',
  cron: '30 2 * * *',
  timezone: 'America/Chicago',
  parameters: { date: '{{scheduledDate}}' },
  overlap: 'skip',
  catchupWindowSeconds: 3600,
  paused: false,
  note: '',
});

function refusal(parse: () => unknown): Problem[] {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(ScheduleInvalidError);
    expect((err as ScheduleInvalidError).code).toBe('SCHEDULE_INVALID');
    return (err as ScheduleInvalidError).problems;
  }
  throw new Error('accepted');
}

describe('cronProblems', () => {
  it('accepts five fields of numbers, *, ranges, steps, lists and month and day names', () => {
    for (const cron of ['* * * * *', '30 2 * * *', '*/15 9-17 * * MON-FRI', '0 0 1,15 * *', '0 6 * jan-mar,DEC *', '0-30/10 * * * 7', '  5   4 * * sun ']) {
      expect([cron, cronProblems(cron)]).toEqual([cron, []]);
    }
  });

  it('refuses a day of the month the month never has, which would never fire (found by the API\'s property test as a 500 on backfill)', () => {
    expect(cronProblems('0 0 31 2 *')).toEqual(['the day-of-month field "31" and the month field "2" never meet: Invalid explicit day of month definition']);
    expect(cronProblems('0 0 30 1,2 *')).toEqual([]);
  });

  it('says how many fields there are when there are not five', () => {
    expect(cronProblems('* * * *')).toEqual(['has 4 fields; a cron has five: minute hour day-of-month month day-of-week']);
    expect(cronProblems('0 * * * * *')).toEqual(['has 6 fields; a cron has five: minute hour day-of-month month day-of-week']);
    expect(cronProblems('   ')).toEqual(['has 0 fields; a cron has five: minute hour day-of-month month day-of-week']);
  });

  it('names the field whose value is out of range, each of them', () => {
    const problems = cronProblems('61 25 * 13 *');
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^the minute field "61" is not valid: .*61.*0-59/);
    expect(problems[1]).toMatch(/^the hour field "25" is not valid: .*25.*0-23/);
    expect(problems[2]).toMatch(/^the month field "13" is not valid: .*13.*1-12/);
    expect(cronProblems('0 0 32 * *')[0]).toMatch(/^the day-of-month field "32"/);
    expect(cronProblems('0 0 * * 8')[0]).toMatch(/^the day-of-week field "8"/);
  });

  it('refuses what Temporal\'s schedules do not read as cron does: L, W, #, ?, H, names in the wrong field, macros', () => {
    expect(cronProblems('0 0 L * *')[0]).toMatch(/^the day-of-month field "L" is not one drover reads/);
    expect(cronProblems('0 0 1W * *')[0]).toMatch(/^the day-of-month field "1W"/);
    expect(cronProblems('0 0 * * 1#2')[0]).toMatch(/^the day-of-week field "1#2"/);
    expect(cronProblems('0 0 ? * *')[0]).toMatch(/^the day-of-month field "\?"/);
    expect(cronProblems('H * * * *')[0]).toMatch(/^the minute field "H"/);
    expect(cronProblems('0 0 * MON *')[0]).toMatch(/^the month field "MON"/);
    expect(cronProblems('@daily')).toEqual(['@daily is not supported: write its five fields (minute hour day-of-month month day-of-week), e.g. 0 0 * * * for @daily']);
  });

  it('refuses both day fields restricted: cron means either, Temporal both', () => {
    expect(cronProblems('0 0 1 * MON')).toEqual([expect.stringMatching(/^restricts both day-of-month \("1"\) and day-of-week \("MON"\)/)]);
  });
});

describe('cronTimesBetween', () => {
  it('gives the times from start to end, both included, in the zone, at most the limit', () => {
    const at = (s: string) => new Date(s);
    expect(cronTimesBetween('* * * * *', 'UTC', at('2026-03-08T07:58:00Z'), at('2026-03-08T08:01:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-03-08T07:58:00.000Z',
      '2026-03-08T07:59:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T08:01:00.000Z',
    ]);
    // 02:30 in Chicago: 08:30 UTC in winter, 07:30 UTC in summer.
    expect(cronTimesBetween('30 2 * * *', 'America/Chicago', at('2026-03-01T00:00:00Z'), at('2026-03-03T00:00:00Z'), 10).map((d) => d.toISOString())).toEqual([
      '2026-03-01T08:30:00.000Z',
      '2026-03-02T08:30:00.000Z',
    ]);
    expect(cronTimesBetween('* * * * *', 'UTC', at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'), 5)).toHaveLength(5);
  });
});

describe('timezoneProblem', () => {
  it('accepts IANA names', () => {
    for (const tz of ['UTC', 'America/Chicago', 'Europe/Amsterdam', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Asia/Kolkata']) expect([tz, timezoneProblem(tz)]).toEqual([tz, undefined]);
  });

  it('refuses what is no IANA name, offsets and names in the wrong case included', () => {
    expect(timezoneProblem('Mars/Olympus_Mons')).toBe('"Mars/Olympus_Mons" is not an IANA time zone name (such as UTC or America/Chicago)');
    expect(timezoneProblem('+01:00')).toBe('"+01:00" is not an IANA time zone name (such as UTC or America/Chicago)');
    expect(timezoneProblem('')).toBe('"" is not an IANA time zone name (such as UTC or America/Chicago)');
    expect(timezoneProblem('america/chicago')).toBe('"america/chicago" is spelled America/Chicago in the tz database (names are case-sensitive)');
  });
});

describe('parseSchedule', () => {
  it('reads the issue\'s example as it is, and fills the defaults of a minimal one', () => {
    expect(parseSchedule(nightly())).toEqual(nightly());
    expect(parseSchedule({ id: 'hourly', jobId: 'partner-feeds', cron: '0  * * * *' })).toEqual({
      id: 'hourly',
      jobId: 'partner-feeds',
      cron: '0 * * * *',
      timezone: 'UTC',
      parameters: {},
      overlap: 'skip',
      catchupWindowSeconds: 3600,
      paused: false,
      note: '',
    });
  });

  it('names each bad field by its path: cron, timezone, an unknown placeholder', () => {
    const problems = refusal(() => parseSchedule({ ...nightly(), cron: '61 2 * * *', timezone: 'Chicago', parameters: { date: '{{scheduleDate}}' } }));
    expect(problems.map((p) => p.path)).toEqual(['/cron', '/timezone', '/parameters/date']);
    expect(problems[0]!.message).toMatch(/^the minute field "61"/);
    expect(problems[1]!.message).toBe('"Chicago" is not an IANA time zone name (such as UTC or America/Chicago)');
    expect(problems[2]!.message).toBe('{{scheduleDate}} is not a placeholder drover fills: use {{scheduledTime}} or {{scheduledDate}}');
  });

  it('refuses a bad shape by the schema: a bad id, an unknown overlap, an extra field, a short catch-up window', () => {
    const problems = refusal(() => parseSchedule({ ...nightly(), id: 'Nightly!', overlap: 'terminate-other', catchupWindowSeconds: 5, owner: 'rosa' }));
    expect(problems.map((p) => p.path).sort()).toEqual(expect.arrayContaining(['/', '/catchupWindowSeconds', '/id', '/overlap']));
    expect(problems.find((p) => p.path === '/')!.message).toBe('must NOT have additional properties: owner');
    expect(refusal(() => parseSchedule({ id: 'x', jobId: 'y' })).map((p) => p.message)).toEqual(["must have required property 'cron'"]);
  });
});

describe('parseSchedulePatch and applySchedulePatch', () => {
  it('takes the fields given, checked as a document\'s, and replaces only those', () => {
    const patch = parseSchedulePatch({ paused: true, note: 'partner is down', cron: '0  3 * * *' });
    expect(patch).toEqual({ paused: true, note: 'partner is down', cron: '0 3 * * *' });
    expect(applySchedulePatch(parseSchedule(nightly()), patch)).toEqual({ ...nightly(), paused: true, note: 'partner is down', cron: '0 3 * * *' });
  });

  it('refuses an empty change, a change of the id or the job, and a bad cron', () => {
    expect(refusal(() => parseSchedulePatch({})).map((p) => p.message)).toEqual(['must NOT have fewer than 1 properties']);
    expect(refusal(() => parseSchedulePatch({ jobId: 'other' })).map((p) => p.message)).toEqual(['must NOT have additional properties: jobId']);
    expect(refusal(() => parseSchedulePatch({ timezone: 'Nowhere/Land', cron: '* *' })).map((p) => p.path)).toEqual(['/cron', '/timezone']);
  });
});
