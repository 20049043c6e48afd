import { GetObjectCommand } from '@aws-sdk/client-s3';
import { composeNoticeEmail, composeReportEmail } from '../email/compose.js';
import { sendRawEmail } from '../email/send.js';
import type { ActivityDeps } from './deps.js';
import type { ReportTotalsSummary } from './types.js';

export interface EmailReportInput {
  runId: string;
  to: string;
  inputKey: string;
  reportKey: string;
  totals: ReportTotalsSummary;
}

export interface EmailNoticeInput {
  runId: string;
  to: string;
  inputKey: string;
  outcome: 'FAILED' | 'CANCELLED' | 'TIMED_OUT';
  reason: string;
  progress: { total: number; done: number; failed: number; stage: string };
}

export function runUiLink(uiUrl: string, namespace: string, runId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(runId)}`;
}

export function emailActivities({ aws, config }: ActivityDeps) {
  const uiLink = (runId: string) => runUiLink(config.temporal.uiUrl, config.temporal.namespace, runId);
  return {
    async emailReport(input: EmailReportInput): Promise<{ messageId: string }> {
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: config.aws.bucket, Key: input.reportKey }));
      const content = Buffer.from(await object.Body!.transformToByteArray());
      const raw = await composeReportEmail({
        from: config.aws.mailFrom,
        to: input.to,
        runId: input.runId,
        inputFile: input.inputKey,
        totals: input.totals,
        uiLink: uiLink(input.runId),
        attachment: { filename: input.reportKey.slice(input.reportKey.lastIndexOf('/') + 1), content },
      });
      return { messageId: await sendRawEmail(aws.ses, raw, { from: config.aws.mailFrom, to: input.to }) };
    },

    async emailNotice(input: EmailNoticeInput): Promise<{ messageId: string }> {
      const raw = await composeNoticeEmail({
        from: config.aws.mailFrom,
        to: input.to,
        runId: input.runId,
        inputFile: input.inputKey,
        outcome: input.outcome,
        reason: input.reason,
        progress: input.progress,
        uiLink: uiLink(input.runId),
      });
      return { messageId: await sendRawEmail(aws.ses, raw, { from: config.aws.mailFrom, to: input.to }) };
    },
  };
}
