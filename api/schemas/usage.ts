/** `GET /v1/usage`'s answer: the object `drover usage --json` prints (control/usage.ts UsageReport). */
import { Type } from '@sinclair/typebox';
import { Timestamp } from './common.js';

export const USAGE_GROUPS = ['job', 'day', 'triggeredBy'] as const;
const GROUP_BY_DOC = '`job`, `day` (the UTC date a process was created) or `triggeredBy`.';
export const UsageGroupBy = Type.Union(USAGE_GROUPS.map((g) => Type.Literal(g)), { description: GROUP_BY_DOC });
export const UsageGroupByQuery = Type.Union(USAGE_GROUPS.map((g) => Type.Literal(g)), { description: GROUP_BY_DOC, default: 'job' });

const Sums = {
  processes: Type.Integer({ description: 'Processes created in the range.' }),
  vcpuSeconds: Type.Number(),
  gibSeconds: Type.Number(),
  estimatedUsd: Type.Number({ description: 'At `prices`, to the micro-dollar.' }),
};

export const UsageReportSchema = Type.Object({
  from: Timestamp,
  to: Timestamp,
  groupBy: UsageGroupBy,
  prices: Type.Object({ vcpuHour: Type.Number({ description: 'USD a vCPU-hour (DROVER_PRICE_VCPU_HOUR).' }), gibHour: Type.Number({ description: 'USD a GiB-hour (DROVER_PRICE_GIB_HOUR).' }) }),
  rows: Type.Array(Type.Object({ key: Type.String({ description: 'A job id, a `YYYY-MM-DD` date or a `triggeredBy`.' }), ...Sums }), { description: 'One a key with processes in the range, ordered by key.' }),
  total: Type.Object(Sums),
});

/** A date (its start, UTC) or a date-time with its offset; the route refuses one no calendar has. */
export const dateOrTime = (what: string) =>
  Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
    description: `${what}: a date, \`2026-03-01\` (its start in UTC), or a date-time, \`2026-03-01T00:00:00Z\`.`,
  });
