/**
 * How the report reaches its reader, against moto's S3 and SES: attached up to
 * DROVER_MAIL_ATTACH_MAX_BYTES, linked (a presigned GET that downloads it) past it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import { emailActivities } from '../../activities/email.js';
import { emailsOfRun } from '../../cli/mailbox.js';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../config/aws-clients.js';
import { loadConfig, type Config } from '../../config/load-config.js';
import { startMoto } from '../support/moto.js';

const BUCKET = 'drover-mail-test';
const FROM = 'drover@ranch-analytics.example';
// Stands in for a workbook: what matters is that the reader gets these bytes back.
const REPORT = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

describe('emailReport', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let aws: AwsClients;
  const configWith = (attachMax: number): Config =>
    loadConfig({
      useStackFile: false,
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.endpoint, DROVER_BUCKET: BUCKET, DROVER_MAIL_FROM: FROM, DROVER_MAIL_ATTACH_MAX_BYTES: String(attachMax), DROVER_MAIL_LINK_HOURS: '2' },
    });

  beforeAll(async () => {
    moto = await startMoto();
    aws = createAwsClients(configWith(0));
    await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await aws.ses.send(new VerifyEmailIdentityCommand({ EmailAddress: FROM }));
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'reports/east/credit-report-may-run.xlsx', Body: REPORT }));
  }, 60_000);

  afterAll(async () => {
    if (aws) destroyAwsClients(aws);
    await moto?.close();
  });

  /** `runBucket`: the bucket the workflow passes (the run's); the configured one is then another, which has no report. */
  async function send(runId: string, attachMax: number, runBucket?: string) {
    const totals = { customers: 2, rejected: 0, byRating: { A: 2, B: 0, C: 0, D: 0, NOT_FOUND: 0, ERROR: 0 }, totalDueCents: 0 };
    const input = { runId, to: 'boss@ranch.example', inputKey: 'incoming/east/may.xlsx', reportKey: 'reports/east/credit-report-may-run.xlsx', totals, ...(runBucket ? { bucket: runBucket } : {}) };
    const config = configWith(attachMax);
    if (runBucket) config.aws.bucket = 'not-the-run-bucket';
    await new MockActivityEnvironment().run(emailActivities({ aws, config }).emailReport, input);
    const [mail, ...more] = await emailsOfRun(moto.endpoint, runId);
    expect(more).toEqual([]);
    return simpleParser(mail!.raw);
  }

  it('attaches a report of up to the limit', async () => {
    const mail = await send('run-attached', REPORT.length);
    expect(mail.attachments.map((a) => [a.filename, a.content.equals(REPORT)])).toEqual([['credit-report-may-run.xlsx', true]]);
    expect(mail.text).toContain('is attached (credit-report-may-run.xlsx)');
  });

  it('reads the report from the run\'s bucket, which the workflow passes, not from the configured one', async () => {
    const mail = await send('run-own-bucket', REPORT.length, BUCKET);
    expect(mail.attachments.map((a) => [a.filename, a.content.equals(REPORT)])).toEqual([['credit-report-may-run.xlsx', true]]);
  });

  it('links a larger report with a URL that downloads it', async () => {
    const before = Date.now();
    const mail = await send('run-linked', REPORT.length - 1);
    expect(mail.attachments).toEqual([]);
    expect(mail.text).toContain('is too large to attach (0.0 MB). Download credit-report-may-run.xlsx by ');
    const url = /^(http\S+)$/m.exec(mail.text ?? '')![1]!;
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('7200');
    expect(Date.parse(/ by (\S+) from:/.exec(mail.text ?? '')![1]!)).toBeGreaterThanOrEqual(before + 7_200_000 - 1000);
    expect(mail.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(REPORT)).toBe(true);
  });
});
