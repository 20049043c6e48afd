import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { composeNoticeEmail, composeReportEmail } from '../email/compose.js';
import { EmailError } from '../email/errors.js';
import { sendRawEmail } from '../email/send.js';
import { runUiLink } from '../config/temporal-connection.js';
import { describeCancelRequest, findCancelRequest } from './cancel-request.js';
import type { ActivityDeps } from './deps.js';
import { failPermanently } from './failures.js';
import { downloadToFile, withTempDir } from '../storage/s3-files.js';
import type { ReportTotals } from '../rating/types.js';

export interface EmailReportInput {
  runId: string;
  to: string;
  inputKey: string;
  reportKey: string;
  /** The run's bucket, where the report is (the workflow input's). Absent in runs started before it was passed: those read the configured bucket, as they always did. */
  bucket?: string;
  totals: ReportTotals;
}

export interface EmailNoticeInput {
  runId: string;
  to: string;
  inputKey: string;
  outcome: 'FAILED' | 'CANCELLED' | 'TIMED_OUT';
  /** What happened, never empty. For CANCELLED the notice adds who asked for it, and why, when the run's history says. */
  reason: string;
  progress: { total: number | null; done: number; failed: number; stage: string };
}

/** SES refusals that no retry can fix: the sender is not a verified identity, or the message is refused as such. */
const PERMANENT_SES_ERRORS = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'ConfigurationSetDoesNotExistException']);

/**
 * An email that cannot be composed (a missing or malformed field) is a bug in what the workflow
 * passed, not a fault: no retry mends it, so it fails at once, typed by its code (EMAIL_OPTIONS).
 */
const isOptionsError = (err: unknown): err is EmailError => err instanceof EmailError && err.code === 'EMAIL_OPTIONS';

async function compose(build: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await build();
  } catch (err) {
    failPermanently(err, isOptionsError);
  }
}

async function send(ses: ActivityDeps['aws']['ses'], raw: Buffer, from: string, to: string): Promise<{ messageId: string }> {
  try {
    return { messageId: await sendRawEmail(ses, raw, { from, to }) };
  } catch (err) {
    const cause = err instanceof Error ? (err.cause as { name?: string } | undefined) : undefined;
    if (cause?.name && PERMANENT_SES_ERRORS.has(cause.name)) {
      throw ApplicationFailure.create({ message: (err as Error).message, type: 'EMAIL_REFUSED', nonRetryable: true, cause: err as Error });
    }
    failPermanently(err, isOptionsError);
  }
}

export function emailActivities({ aws, config, tmpDir, temporal }: ActivityDeps) {
  const uiLink = (runId: string) => runUiLink(config.temporal.uiUrl, config.temporal.namespace, runId);
  /** Best effort: without it (no client, or the history cannot be read) the notice still goes out. */
  const whoCancelled = async (runId: string): Promise<string> => {
    if (!temporal) return '';
    const execution = Context.current().info.workflowExecution;
    try {
      return describeCancelRequest(await findCancelRequest(temporal, runId, execution?.workflowId === runId ? execution.runId : undefined));
    } catch (err) {
      Context.current().log.warn('could not read who cancelled the run', { runId, error: String(err) });
      return '';
    }
  };

  return {
    async emailReport(input: EmailReportInput): Promise<{ messageId: string }> {
      const filename = input.reportKey.slice(input.reportKey.lastIndexOf('/') + 1);
      const bucket = input.bucket ?? config.aws.bucket;
      const report = { Bucket: bucket, Key: input.reportKey };
      const sizeBytes = (await aws.s3.send(new HeadObjectCommand(report))).ContentLength ?? 0;
      // SES takes 10 MB a message; past the limit the email links the report, and the worker never holds it.
      const composeWith = (delivery: Pick<Parameters<typeof composeReportEmail>[0], 'attachment' | 'link'>) =>
        compose(() =>
          composeReportEmail({
            from: config.aws.mailFrom,
            to: input.to,
            runId: input.runId,
            inputFile: input.inputKey,
            totals: input.totals,
            uiLink: uiLink(input.runId),
            ...delivery,
          }),
        );
      let raw: Buffer;
      if (sizeBytes <= config.aws.mailAttachMaxBytes) {
        // Through a file, so the report is read once, into the message, not first into buffers of its own
        // (measured at 100,000 customers, a 6.2 MB report: 37 MB more peak RSS when held in memory).
        raw = await withTempDir(tmpDir, async (dir) => {
          const path = join(dir, filename);
          await downloadToFile(aws.s3, bucket, input.reportKey, path);
          return composeWith({ attachment: { filename, content: path } });
        });
      } else {
        const expiresIn = config.aws.mailLinkHours * 3600;
        const url = await getSignedUrl(aws.s3, new GetObjectCommand(report), { expiresIn });
        raw = await composeWith({ link: { filename, url, sizeBytes, expiresAt: new Date(Date.now() + expiresIn * 1000) } });
      }
      return send(aws.ses, raw, config.aws.mailFrom, input.to);
    },

    async emailNotice(input: EmailNoticeInput): Promise<{ messageId: string }> {
      const reason = input.outcome === 'CANCELLED' ? [input.reason, await whoCancelled(input.runId)].filter(Boolean).join(' ') : input.reason;
      const raw = await compose(() =>
        composeNoticeEmail({
          from: config.aws.mailFrom,
          to: input.to,
          runId: input.runId,
          inputFile: input.inputKey,
          outcome: input.outcome,
          reason,
          progress: input.progress,
          uiLink: uiLink(input.runId),
        }),
      );
      return send(aws.ses, raw, config.aws.mailFrom, input.to);
    },
  };
}
