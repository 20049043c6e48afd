import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortalDataset } from '../../portal/dataset.js';
import type { PortalStats } from '../../portal/server.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { expectedFor } from '../support/expected.js';
import { outcome, readReport, reportRows, upload } from '../support/runs.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const dataset = new PortalDataset({ seed: 42 });

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      DROVER_PORTAL_FAULT_RATE: '0.3',
      DROVER_PORTAL_FAULT_KINDS: '500,reset,truncated,maintenance,maintenance200,429,slow,hang',
      DROVER_PORTAL_LATENCY_MS: '5',
      // Shorter than the portal's slow answers, so a slow answer and a hang both time out and are retried.
      TAX_SOURCE_TIMEOUT_MS: '1500',
      DROVER_RECORDS_PER_CHILD: '20',
    },
  });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe('a source that answers 30% of requests with faults', () => {
  it('still ends with every customer rated and no request sent before its Retry-After', async () => {
    const customers = dataset.customers(80, { start: 3000 });
    const path = join(mkdtempSync(join(tmpdir(), 'drover-hostile-')), 'hostile.xlsx');
    await writeCustomerWorkbook(path, customers);
    const runId = await upload(stack, 'incoming/hostile.xlsx', readFileSync(path));
    const { result, error } = await outcome(stack, runId);
    expect(error).toBeUndefined();

    const rows = reportRows((await readReport(stack, result!.reportKey)).book);
    expect(rows.filter((r) => r.Rating === 'ERROR')).toEqual([]);
    expect(rows.map((r) => r.Rating)).toEqual(customers.map((c) => expectedFor(dataset, c).rating));
    // Retries show in the attempts column: more requests than customers.
    expect(rows.reduce((n, r) => n + Number(r.Attempts), 0)).toBeGreaterThan(customers.length);

    const stats = (await (await fetch(`${stack.file.portal.url}/__stats`)).json()) as PortalStats;
    expect(stats.tooEarly).toBe(0);
    for (const kind of ['500', 'reset', 'truncated', 'maintenance', 'maintenance200', '429', 'slow', 'hang']) expect(stats.faults[kind]).toBeGreaterThan(0);
  }, 300_000);
});
