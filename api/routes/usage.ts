/** `GET /v1/usage`: what processes used and are estimated to cost, summed over a range by job, day or who started them. A viewer key. */
import { Type } from '@sinclair/typebox';
import { DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS, usageReport, usageTime } from '../../control/usage.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { requireRole } from '../require-role.js';
import { JobId } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';
import { dateOrTime, UsageGroupByQuery, UsageReportSchema } from '../schemas/usage.js';

export async function usageRoutes(app: ApiApp, opts: { deps: Pick<ApiDeps, 'db' | 'config'> }): Promise<void> {
  const { db, config } = opts.deps;

  app.get(
    '/usage',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getUsage',
        tags: ['usage'],
        summary: 'What processes used and are estimated to cost, summed by job, day or who started them',
        description: `Sums the vCPU-seconds and GiB-seconds of the processes created in [from, to) (a process counts on the day it was created, all of it), and prices them at DROVER_PRICE_VCPU_HOUR and DROVER_PRICE_GIB_HOUR. \`to\` defaults to now, \`from\` to ${DEFAULT_USAGE_DAYS} days before \`to\`; \`from\` must be before \`to\`, at most ${MAX_USAGE_DAYS} days before it (else 400). A month: \`from=2026-03-01&to=2026-04-01\`.`,
        querystring: Type.Object({
          from: Type.Optional(dateOrTime('The start, included')),
          to: Type.Optional(dateOrTime('The end, excluded')),
          groupBy: Type.Optional(UsageGroupByQuery),
          jobId: Type.Optional(JobId),
        }),
        response: { 200: UsageReportSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      return usageReport(
        { db, prices: config.prices },
        {
          groupBy: q.groupBy ?? 'job',
          ...(q.from !== undefined ? { from: usageTime('from', q.from) } : {}),
          ...(q.to !== undefined ? { to: usageTime('to', q.to) } : {}),
          ...(q.jobId !== undefined ? { jobId: q.jobId } : {}),
        },
      );
    },
  );
}
