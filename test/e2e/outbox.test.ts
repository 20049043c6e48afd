/**
 * `drover run --wait --out` saves a run's emails from the emulator's outbox (stack/moto-server.py's
 * GET /_drover/outbox), whatever else the emulator holds: here after a ~30 MB multipart upload,
 * which makes moto's own /moto-api/data.json answer HTTP 500, and for a workbook refused for its
 * row count (SHEET_MAX_ROWS lowered, so a small sheet is over it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { simpleParser } from 'mailparser';
import { emailsOfRun, fetchSentEmails } from '../../cli/mailbox.js';
import { PortalDataset } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { bucketKeys } from '../support/runs.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-outbox-'));
const MAX_ROWS = 20;

beforeAll(async () => {
  stack = await startTestStack({ env: { SHEET_MAX_ROWS: String(MAX_ROWS) } });
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

/** `drover <args>` as a user runs it against the test stack; the last line of stdout is its JSON. */
async function drover(args: string[]): Promise<{ status: number; output: string; last: Record<string, unknown> }> {
  const out = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'bin', 'drover.js'), ...args], { env: stack.env, encoding: 'utf8', timeout: 180_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
  const lines = out.stdout.trim().split('\n');
  let last: Record<string, unknown> = {};
  try {
    last = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  } catch {
    // The output says why.
  }
  return { status: out.status, output: out.stdout + out.stderr, last };
}

describe('the outbox after a large upload', () => {
  it('still answers with the run\'s emails, and run --wait --out saves the refusal of an over-limit sheet', async () => {
    // A ~30 MB object uploaded in parts, as the CLI uploads a large workbook.
    await new Upload({ client: stack.aws.s3, params: { Bucket: stack.file.aws.bucket, Key: 'manual/large.bin', Body: randomBytes(30 * 1024 * 1024) } }).done();
    expect(await bucketKeys(stack)).toContain('manual/large.bin');

    const path = join(scratch, 'too-many.xlsx');
    await writeCustomerWorkbook(path, new PortalDataset({ seed: 42 }).customers(MAX_ROWS + 5));
    const out = join(scratch, 'out');
    const { status, output, last } = await drover(['run', path, '--wait', '--out', out, '--json']);
    expect({ status, output }).toMatchObject({ status: 1 });
    const runId = last.runId as string;
    const reason = `The sheet "Customers" has ${MAX_ROWS + 5} rows below its header, over the limit of ${MAX_ROWS} (SHEET_MAX_ROWS).`;
    expect(last).toMatchObject({ status: 'FAILED' });
    expect(last.reason).toContain(reason);

    const saved = (last.saved as { emails: string[] }).emails;
    expect(saved).toEqual([join(out, `${runId}-email-1.eml`)]);
    const mail = await simpleParser(readFileSync(saved[0]!));
    expect(mail.subject).toBe(`Credit report for incoming/too-many.xlsx (${runId}) failed`);
    expect(mail.text).toContain(`Reason: ${reason}`);
    expect(mail.text).toContain('It stopped in the validate stage');

    // Only the run's own messages, asked by run id.
    expect((await emailsOfRun(stack.file.aws.endpoint, runId)).map((m) => m.raw)).toEqual([readFileSync(saved[0]!, 'utf8')]);
    expect(await emailsOfRun(stack.file.aws.endpoint, 'credit-000000000000')).toEqual([]);
    expect((await fetchSentEmails(stack.file.aws.endpoint)).length).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
