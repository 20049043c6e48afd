import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { PortalDataset } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { fetchSentEmails } from '../../cli/mailbox.js';
import type { CreditCheckResult } from '../../workflows/definitions.js';
import { showProcess } from '../../ledger/process-queries.js';
import { eventually } from '../support/eventually.js';
import { ledgerOf } from '../support/processes.js';
import { expectedFor } from '../support/expected.js';
import { bucketKeys, outcome, readReport, rootCause, runTables, upload } from '../support/runs.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-e2e-'));

beforeAll(async () => {
  stack = await startTestStack();
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe('the credit check through the whole embedded stack', () => {
  const dataset = new PortalDataset({ seed: 42 });
  const customers = dataset.customers(60);
  const key = 'incoming/east/May customers.xlsx';
  let runId: string;
  let result: CreditCheckResult;
  let reportBytes: Buffer;

  it('turns an upload under incoming/ into a completed run', async () => {
    const path = join(scratch, 'customers.xlsx');
    await writeCustomerWorkbook(path, customers, { messy: true, flawed: true });
    runId = await upload(stack, key, readFileSync(path), 'boss@ranch.example');
    const { result: r, error } = await outcome(stack, runId);
    expect(error).toBeUndefined();
    result = r!;
    expect(result.runId).toBe(runId);
    expect(result.customers).toBe(customers.length);
    expect(result.rejected).toBe(3);
    expect(result.reportKey).toBe(`reports/east/credit-report-May customers-${runId}.xlsx`);
  }, 240_000);

  it('writes a report whose every row matches the portal', async () => {
    const { bytes, book } = await readReport(stack, result.reportKey);
    reportBytes = bytes;
    expect(book.worksheets.map((w) => w.name)).toEqual(['Credit worthiness', 'Summary', 'Rejected']);
    const sheet = book.getWorksheet('Credit worthiness')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      'Customer ID', 'Name', 'County', 'State', 'Parcel IDs', 'Total Due', 'Delinquent Years', 'Rating', 'Checked At', 'Attempts', 'Error', 'Region Notes',
    ]);
    const col = (name: string) => header.indexOf(name) + 1;
    const byRating: Record<string, number> = {};
    customers.forEach((customer, i) => {
      const row = sheet.getRow(i + 2);
      const want = expectedFor(dataset, customer);
      expect(row.getCell(col('Customer ID')).value).toBe(customer.customerId);
      expect(row.getCell(col('Rating')).value).toBe(want.rating);
      expect(Math.round(Number(row.getCell(col('Total Due')).value) * 100)).toBe(want.rating === 'NOT_FOUND' ? 0 : want.totalDueCents);
      expect(row.getCell(col('Delinquent Years')).value).toBe(want.delinquentYears);
      expect(String(row.getCell(col('Parcel IDs')).value ?? '')).toBe(want.parcelIds.join(', '));
      expect(Number(row.getCell(col('Attempts')).value)).toBeGreaterThanOrEqual(want.parcelIds.length || 1);
      byRating[want.rating] = (byRating[want.rating] ?? 0) + 1;
    });
    expect(sheet.getRow(customers.length + 2).getCell(1).value ?? null).toBeNull();
    for (const [rating, n] of Object.entries(byRating)) expect(result.byRating[rating]).toBe(n);
    // The three flawed rows at the end of the sheet, each with its reason; the blank one is skipped silently.
    const rejected = book.getWorksheet('Rejected')!;
    const reasons: string[] = [];
    rejected.eachRow((row, n) => {
      if (n > 1) reasons.push(String(row.getCell(rejected.getRow(1).cellCount).value));
    });
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/duplicate/i);
    expect(reasons[1]).toMatch(/customer id/i);
    expect(reasons[2]).toMatch(/parcel/i);
    // The sample exercises every outcome the policy has but ERROR.
    expect(Object.keys(byRating).sort()).toEqual(['A', 'B', 'C', 'D', 'NOT_FOUND']);
  });

  it('emails the report as an attachment to the address in the upload metadata', async () => {
    const sent = (await fetchSentEmails(stack.file.aws.endpoint)).filter((m) => m.raw.includes(runId));
    expect(sent).toHaveLength(1);
    const mail = await simpleParser(sent[0]!.raw);
    // moto lists the envelope and the To header both; what matters is who it went to.
    expect([...new Set(sent[0]!.destinations)]).toEqual(['boss@ranch.example']);
    expect((mail.to as { text: string }).text).toBe('boss@ranch.example');
    expect(mail.subject).toContain(runId);
    expect(mail.attachments).toHaveLength(1);
    const attachment = mail.attachments[0]!;
    expect(attachment.filename).toBe(`credit-report-May customers-${runId}.xlsx`);
    expect(attachment.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(Buffer.compare(attachment.content, reportBytes)).toBe(0);
  });

  it('leaves only the archived input and the report behind', async () => {
    expect(await runTables(stack)).toEqual([]);
    expect(await bucketKeys(stack)).toEqual(['processed/east/May customers.xlsx', result.reportKey]);
  });

  it('is a process of the built-in job credit-check in the ledger, its stages and its chunk as tasks', async () => {
    const db = ledgerOf(stack);
    try {
      const p = await showProcess(db, runId);
      expect(p).toMatchObject({ jobId: 'credit-check', status: 'SUCCEEDED', triggeredBy: `s3:${key}`, parameters: { key, bucket: stack.config.aws.bucket }, failedTask: null });
      expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([
        ['validate', 'SUCCEEDED'], ['ingest', 'SUCCEEDED'], ['scrape-1', 'SUCCEEDED'], ['report', 'SUCCEEDED'], ['email', 'SUCCEEDED'],
      ]);
      const scrape = p.tasks![2]!;
      expect(scrape.batchJobId).toMatch(/^[0-9a-f-]{36}$/);
      // The chunk's counts, by the test's own count: every accepted customer, none failed.
      expect(scrape.detail).toEqual({ records: customers.length, done: customers.length, failed: 0 });
      // Every child's time counts, at the scraper's 1 vCPU and 512 MiB (stack/provision.ts): half a GiB-second a vCPU-second.
      expect(scrape.usage.vcpuSeconds).toBeGreaterThan(0);
      expect(scrape.usage.gibSeconds).toBeCloseTo(scrape.usage.vcpuSeconds / 2, 2);
      expect(p.usage.vcpuSeconds).toBeCloseTo(scrape.usage.vcpuSeconds, 2);
    } finally {
      await db.destroy();
    }
  });

  it('fails a CSV renamed .xlsx as a process of credit-check, in its validate task', async () => {
    const db = ledgerOf(stack);
    try {
      const badRun = await upload(stack, 'incoming/ledger-renamed.xlsx', Buffer.from('Customer ID,Name\nC1,Jo\n'));
      await outcome(stack, badRun);
      const p = await eventually('the process to end', async () => {
        const shown = await showProcess(db, badRun);
        return shown.status !== 'RUNNING' && shown;
      });
      expect(p).toMatchObject({ status: 'FAILED', failedTask: 'validate' });
      expect(p.tasks!.map((t) => [t.name, t.status])).toEqual([['validate', 'FAILED'], ['ingest', 'SKIPPED'], ['report', 'SKIPPED'], ['email', 'SKIPPED']]);
    } finally {
      await db.destroy();
    }
  }, 120_000);

  it('can be found in Temporal by its search attributes', async () => {
    const found = await eventually('the run in visibility', async () => {
      for await (const run of stack.client.workflow.list({ query: `DroverInputFile = '${key}' AND DroverStage = 'done'` })) return run;
      return undefined;
    });
    expect(found.workflowId).toBe(runId);
    expect(found.status.name).toBe('COMPLETED');
    expect(found.searchAttributes.DroverRecordCount).toEqual([customers.length]);
    // The Web UI finds it by the same query, through the UI server's own API.
    const query = encodeURIComponent(`DroverInputFile = '${key}'`);
    const ui = (await (await fetch(`${stack.file.temporal.ui}/api/v1/namespaces/default/workflows?query=${query}`)).json()) as {
      executions: { execution: { workflowId: string }; searchAttributes: { indexedFields: Record<string, unknown> } }[];
    };
    expect(ui.executions.map((e) => e.execution.workflowId)).toEqual([runId]);
    expect(Object.keys(ui.executions[0]!.searchAttributes.indexedFields)).toEqual(expect.arrayContaining(['DroverInputFile', 'DroverRecordCount', 'DroverStage']));
  });

  it('fails a CSV renamed .xlsx before any lookup, says why, and keeps the stack serving', async () => {
    const csvKey = 'incoming/renamed.xlsx';
    const badRun = await upload(stack, csvKey, Buffer.from('Customer ID,Name,Parcel ID\nC1,Jo,12-345-678\n'));
    const { error } = await outcome(stack, badRun);
    expect(error).toBeDefined();
    expect(rootCause(error!)).toMatch(/not an? .*xlsx|CSV|text/i);
    const notice = (await fetchSentEmails(stack.file.aws.endpoint)).filter((m) => m.raw.includes(badRun));
    expect(notice).toHaveLength(1);
    const mail = await simpleParser(notice[0]!.raw);
    expect(mail.subject).toMatch(/fail/i);
    expect(mail.text).toContain(rootCause(error!).slice(0, 40));
    expect(mail.attachments).toHaveLength(0);
    expect(await runTables(stack)).toEqual([]);
    expect(await bucketKeys(stack)).toContain('failed/renamed.xlsx');
    expect((await bucketKeys(stack)).filter((k) => k.startsWith('tmp/') || k.startsWith('incoming/'))).toEqual([]);
  }, 120_000);
});
