import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeNoticeEmail, composeReportEmail, XLSX_CONTENT_TYPE, type ReportEmailOptions } from '../../email/compose.js';
import { escapeHtml } from '../../email/escape-html.js';
import { openReportWriter } from '../../report/write-report.js';
import { parseMime, type MimePart } from './mime.js';

let dir: string;
let xlsxPath: string;
let xlsx: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'email-test-'));
  xlsxPath = join(dir, 'credit-report-ranch-run-1.xlsx');
  const writer = await openReportWriter({ path: xlsxPath, extraColumns: [] });
  await writer.finish({ runId: 'run-1', inputFile: 'ranch.xlsx', startedAt: new Date(0), finishedAt: new Date(0), stageSeconds: {}, rejectedCount: 0 });
  xlsx = await readFile(xlsxPath);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const UI_LINK = 'http://localhost:8233/namespaces/default/workflows/run-1?a=1&b=2';

function reportOptions(over: Partial<ReportEmailOptions> = {}): ReportEmailOptions {
  return {
    from: 'Drover <reports@example.com>',
    to: ['owner@example.com', 'clerk@example.com'],
    runId: 'run-1',
    inputFile: 'Ranch & Sons <script>alert(1)</script>.xlsx',
    totals: { customers: 1234, byRating: { A: 1000, B: 100, C: 50, D: 40, NOT_FOUND: 30, ERROR: 14 }, totalDueCents: 100123462, rejected: 2 },
    uiLink: UI_LINK,
    attachment: { filename: 'credit-report-ranch-run-1.xlsx', content: xlsx },
    ...over,
  };
}

function text(part: MimePart | undefined): string {
  if (!part) throw new Error('missing MIME part');
  return part.body.toString('utf8');
}

describe('composeReportEmail', () => {
  let mail: MimePart;

  beforeAll(async () => {
    mail = parseMime((await composeReportEmail(reportOptions())).toString('latin1'));
  });

  it('addresses the email and names the run in the subject', () => {
    expect(mail.headers['from']).toBe('Drover <reports@example.com>');
    expect(mail.headers['to']).toBe('owner@example.com, clerk@example.com');
    expect(mail.headers['subject']).toBe('Credit report for Ranch & Sons <script>alert(1)</script>.xlsx (run-1)');
    expect(mail.headers['content-type']).toMatch(/^multipart\/mixed; boundary=/);
    expect(mail.parts.map((p) => p.headers['content-type']?.split(';')[0])).toEqual(['multipart/alternative', XLSX_CONTENT_TYPE]);
  });

  it('summarises the run in plain text', () => {
    const [plain] = mail.parts[0]?.parts ?? [];
    expect(plain?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text(plain)).toBe(
      [
        'The credit report for Ranch & Sons <script>alert(1)</script>.xlsx is attached (credit-report-ranch-run-1.xlsx).',
        '',
        'Run: run-1',
        'Customers checked: 1,234',
        'Rating A: 1,000',
        'Rating B: 100',
        'Rating C: 50',
        'Rating D: 40',
        'Rating NOT_FOUND: 30',
        'Rating ERROR: 14',
        'Rejected rows: 2',
        'Total due: $1,001,234.62',
        '',
        `The run in Temporal: ${UI_LINK}`,
        '',
      ].join('\r\n'),
    );
  });

  it('escapes the input text in the HTML part', () => {
    const html = text(mail.parts[0]?.parts[1]);
    expect(mail.parts[0]?.parts[1]?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html).toContain('<b>Ranch &amp; Sons &lt;script&gt;alert(1)&lt;/script&gt;.xlsx</b>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<a href="http://localhost:8233/namespaces/default/workflows/run-1?a=1&amp;b=2">The run in Temporal</a>');
    expect(html).toContain('<tr><td>Rating NOT_FOUND</td><td style="text-align: right">30</td></tr>');
    expect(html).toContain('<tr><td>Total due</td><td style="text-align: right">$1,001,234.62</td></tr>');
  });

  it('attaches the workbook byte for byte', () => {
    const attachment = mail.parts[1];
    expect(attachment?.headers['content-type']).toBe(`${XLSX_CONTENT_TYPE}; name=credit-report-ranch-run-1.xlsx`);
    expect(attachment?.headers['content-disposition']).toBe('attachment; filename=credit-report-ranch-run-1.xlsx');
    expect(attachment?.headers['content-transfer-encoding']).toBe('base64');
    expect(attachment?.body.equals(xlsx)).toBe(true);
  });

  it('reads the attachment from a path', async () => {
    const raw = await composeReportEmail(reportOptions({ attachment: { filename: 'report.xlsx', content: xlsxPath } }));
    const attachment = parseMime(raw.toString('latin1')).parts[1];
    expect(attachment?.headers['content-disposition']).toBe('attachment; filename=report.xlsx');
    expect(attachment?.body.equals(xlsx)).toBe(true);
  });

  it('keeps line breaks in the input file name out of the headers', async () => {
    const raw = await composeReportEmail(reportOptions({ inputFile: 'a.xlsx\r\nBcc: thief@example.com' }));
    const mail = parseMime(raw.toString('latin1'));
    expect(mail.headers['subject']).toBe('Credit report for a.xlsx Bcc: thief@example.com (run-1)');
    expect(mail.headers['bcc']).toBeUndefined();
  });

  it('refuses unknown options and links that are not http(s)', async () => {
    await expect(composeReportEmail({ ...reportOptions(), cc: 'x@example.com' } as never)).rejects.toMatchObject({
      name: 'EmailError',
      code: 'EMAIL_OPTIONS',
      message: 'Unknown email option(s): cc',
    });
    await expect(composeReportEmail(reportOptions({ uiLink: 'javascript:alert(1)' }))).rejects.toMatchObject({
      code: 'EMAIL_OPTIONS',
      message: 'Email option uiLink must be an http(s) URL, got javascript:',
    });
  });
});

describe('composeNoticeEmail', () => {
  it('says a run timed out and how far it got', async () => {
    const raw = await composeNoticeEmail({
      from: 'reports@example.com',
      to: 'owner@example.com',
      runId: 'run-2',
      inputFile: 'ranch.xlsx',
      outcome: 'TIMED_OUT',
      reason: 'The lookups took longer than 2 hours & <stopped>',
      progress: { total: 10000, done: 4200, failed: 17, stage: 'fanOut' },
      uiLink: 'https://temporal.example/runs/run-2',
    });
    const mail = parseMime(raw.toString('latin1'));
    expect(mail.headers['subject']).toBe('Credit report for ranch.xlsx (run-2) timed out');
    expect(mail.headers['content-type']).toMatch(/^multipart\/alternative;/);
    expect(text(mail.parts[0])).toBe(
      [
        'The credit check of ranch.xlsx timed out.',
        '',
        'Reason: The lookups took longer than 2 hours & <stopped>',
        '',
        'It stopped in the fanOut stage, with 4,200 of 10,000 customers checked (17 failed).',
        '',
        'Run: run-2',
        'The run in Temporal: https://temporal.example/runs/run-2',
        '',
      ].join('\r\n'),
    );
    const html = text(mail.parts[1]);
    expect(html).toContain('<p>Reason: The lookups took longer than 2 hours &amp; &lt;stopped&gt;</p>');
    expect(html).toContain('<p>It stopped in the fanOut stage, with 4,200 of 10,000 customers checked (17 failed).</p>');
  });

  it('says a run failed before any progress was recorded', async () => {
    const raw = await composeNoticeEmail({
      from: 'reports@example.com',
      to: 'owner@example.com',
      runId: 'run-3',
      inputFile: 'notes.csv',
      outcome: 'FAILED',
      reason: 'notes.csv is not an .xlsx workbook',
      uiLink: 'https://temporal.example/runs/run-3',
    });
    const mail = parseMime(raw.toString('latin1'));
    expect(mail.headers['subject']).toBe('Credit report for notes.csv (run-3) failed');
    expect(text(mail.parts[0])).toContain('The credit check of notes.csv failed.\r\n\r\nReason: notes.csv is not an .xlsx workbook\r\n\r\nNo progress was recorded.');
    expect(text(mail.parts[1])).toContain('<p>No progress was recorded.</p>');
  });

  it('words a cancellation', async () => {
    const raw = await composeNoticeEmail({
      from: 'reports@example.com',
      to: 'owner@example.com',
      runId: 'run-4',
      inputFile: 'ranch.xlsx',
      outcome: 'CANCELLED',
      reason: 'Cancelled by alice',
      uiLink: 'https://temporal.example/runs/run-4',
    });
    expect(parseMime(raw.toString('latin1')).headers['subject']).toBe('Credit report for ranch.xlsx (run-4) was cancelled');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and quotes and keeps other text', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry — café</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&apos;y&apos;&gt;Tom &amp; Jerry — café&lt;/a&gt;',
    );
  });
});
