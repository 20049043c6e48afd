/** The email about a catalog job's process: it failed (or was cancelled), or it succeeded and someone asked to hear. */
import { build, checkLink, page } from './compose.js';
import { EmailError } from './errors.js';
import { escapeHtml } from './escape-html.js';
import { oneLine } from './format.js';

export interface ProcessNoticeOptions {
  from: string;
  to: string[];
  jobId: string;
  jobName: string;
  processId: string;
  attempt: number;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** The task that failed, for FAILED. */
  failedTask?: string;
  /** What a person can act on: the exit code and Batch's reason, or who cancelled. */
  reason?: string;
  /** The last lines of the failed task's output. */
  logTail?: string[];
  uiLink: string;
}

const WORDS = { SUCCEEDED: 'succeeded', FAILED: 'failed', CANCELLED: 'was cancelled' } as const;

export async function composeProcessNotice(o: ProcessNoticeOptions): Promise<Buffer> {
  if (o.to.length === 0) throw new EmailError('Email option to names nobody', 'EMAIL_OPTIONS');
  checkLink(o.uiLink);
  const headline = `${o.jobName} (${o.jobId}) ${WORDS[o.status]}.`;
  const facts: string[] = [`Process: ${o.processId}${o.attempt > 1 ? ` (attempt ${o.attempt})` : ''}`];
  if (o.failedTask) facts.push(`Failed task: ${o.failedTask}`);
  if (o.reason) facts.push(`Reason: ${o.reason}`);
  const tail = o.logTail ?? [];
  const logHeading = o.failedTask ? `The last ${tail.length} lines of ${o.failedTask}'s log:` : 'The last lines of the log:';
  const retry = o.status === 'SUCCEEDED' ? [] : [`Retry from the failed task: drover process retry ${o.processId}`];
  const text = [
    headline,
    '',
    ...facts,
    '',
    ...(tail.length > 0 ? [logHeading, '', ...tail.map((l) => `  ${l}`), ''] : []),
    ...retry,
    `The process in Temporal: ${o.uiLink}`,
    '',
  ].join('\n');
  const html = page([
    `<p>${escapeHtml(headline)}</p>`,
    ...facts.map((f) => `<p>${escapeHtml(f)}</p>`),
    ...(tail.length > 0 ? [`<p>${escapeHtml(logHeading)}</p>`, `<pre>${escapeHtml(tail.join('\n'))}</pre>`] : []),
    ...retry.map((r) => `<p>${escapeHtml(r)}</p>`),
    `<p><a href="${escapeHtml(o.uiLink)}">The process in Temporal</a></p>`,
  ]);
  return build({
    from: o.from,
    to: o.to,
    subject: oneLine(`${o.jobId} ${WORDS[o.status]}${o.failedTask ? ` in ${o.failedTask}` : ''} (${o.processId})`),
    text,
    html,
    disableUrlAccess: true,
    disableFileAccess: true,
  });
}
