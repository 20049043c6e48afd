/**
 * A schedule's cron: five fields, the subset Temporal's schedules read the same way cron
 * does, checked field by field so a refusal names the field that is wrong. cron-parser
 * checks each field's values; Temporal runs the schedule itself.
 *
 * Left out on purpose: `L`, `W`, `#`, `?` and `H` (Temporal's cron does not read them, and it
 * takes `#` for the start of a comment), `@daily` and its kind, seconds and years, and
 * restricting both day fields (cron runs on days matching either, Temporal on days matching
 * both).
 */
import { CronExpressionParser } from 'cron-parser';

export const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The names a field may use besides numbers. */
const NAMES: Record<(typeof CRON_FIELDS)[number], readonly string[]> = {
  minute: [],
  hour: [],
  'day-of-month': [],
  month: MONTH_NAMES,
  'day-of-week': DAY_NAMES,
};

/** `*`, `*​/n`, `a`, `a-b`, `a-b/n`; a and b numbers or (month, day-of-week) names. */
const ITEM = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?$/;

/** A cron with single spaces between its fields, as it is stored. */
export function normaliseCron(cron: string): string {
  return cron.trim().split(/\s+/).join(' ');
}

function syntaxProblem(field: (typeof CRON_FIELDS)[number], text: string): string | undefined {
  const names = NAMES[field];
  for (const item of text.split(',')) {
    const m = ITEM.exec(item);
    const values = m && m[1] !== '*' ? m[1]!.split('-') : [];
    const bad = !m || (m[3] !== undefined && m[2] === undefined && m[1] !== '*') || values.some((v) => !/^[0-9]+$/.test(v) && !names.includes(v.toUpperCase()));
    if (bad) {
      const words = names.length > 0 ? `, ${names[0]}-${names[names.length - 1]} names` : '';
      return `the ${field} field "${text}" is not one drover reads: use numbers${words}, * , ranges (1-5), steps (*/15, 0-30/10) and lists (1,15)`;
    }
  }
  return undefined;
}

/** What is wrong with `cron`, one sentence each, each naming its field; none: it is a cron drover runs. */
export function cronProblems(cron: string): string[] {
  const text = normaliseCron(cron);
  if (text.startsWith('@')) return [`${text} is not supported: write its five fields (minute hour day-of-month month day-of-week), e.g. 0 0 * * * for @daily`];
  const parts = text === '' ? [] : text.split(' ');
  if (parts.length !== CRON_FIELDS.length) return [`has ${parts.length} field${parts.length === 1 ? '' : 's'}; a cron has five: minute hour day-of-month month day-of-week`];
  const problems: string[] = [];
  CRON_FIELDS.forEach((field, i) => {
    const syntax = syntaxProblem(field, parts[i]!);
    if (syntax) return void problems.push(syntax);
    // The field alone among wildcards: cron-parser's complaint is then about this field.
    const alone = CRON_FIELDS.map((_, j) => (j === i ? parts[i]! : '*')).join(' ');
    try {
      CronExpressionParser.parse(alone, { tz: 'UTC' });
    } catch (err) {
      problems.push(`the ${field} field "${parts[i]}" is not valid: ${(err as Error).message}`);
    }
  });
  if (problems.length === 0) {
    // Fields valid alone can still never meet (day 31 of February): the whole expression must parse.
    try {
      CronExpressionParser.parse(text, { tz: 'UTC' });
    } catch (err) {
      problems.push(`the day-of-month field "${parts[2]}" and the month field "${parts[3]}" never meet: ${(err as Error).message}`);
    }
  }
  if (problems.length === 0 && parts[2] !== '*' && parts[4] !== '*') {
    problems.push(
      `restricts both day-of-month ("${parts[2]}") and day-of-week ("${parts[4]}"): cron runs on days matching either, Temporal's schedules on days matching both; restrict one of them (or make two schedules)`,
    );
  }
  return problems;
}

/**
 * The times `cron` names in `timezone` from `start` to `end`, both included (as Temporal's
 * backfill takes them), at most `limit` of them (the caller asks for one more than it allows
 * to learn that a range is too long).
 */
export function cronTimesBetween(cron: string, timezone: string, start: Date, end: Date, limit: number): Date[] {
  const expression = CronExpressionParser.parse(normaliseCron(cron), { tz: timezone, currentDate: new Date(start.getTime() - 1), endDate: end });
  const times: Date[] = [];
  while (times.length < limit && expression.hasNext()) times.push(expression.next().toDate());
  return times;
}
