import MailComposer from 'nodemailer/lib/mail-composer';
import { RATINGS, type ReportTotals } from '../rating/types.js';
import { EmailError } from './errors.js';
import { escapeHtml } from './escape-html.js';
import { formatCount, formatMegabytes, formatUsd, oneLine } from './format.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ReportEmailOptions {
  /** Sender address, e.g. `Drover <reports@example.com>`. */
  from: string;
  /** One or more recipient addresses. */
  to: string | string[];
  runId: string;
  /** The input's name as the user knows it. */
  inputFile: string;
  /** The figures the email shows. */
  totals: ReportTotals;
  /** The run in the Temporal UI; http(s) only. */
  uiLink: string;
  /** The report workbook: its bytes, or the path of the file to read. Give this or `link`. */
  attachment?: { filename: string; content: Buffer | string };
  /** Where to download a report too large to attach, and until when the link works. Give this or `attachment`. */
  link?: { filename: string; url: string; sizeBytes: number; expiresAt: Date };
}

export type RunOutcome = 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

export interface NoticeProgress {
  /** Customers accepted for checking; null while the sheet was still being read. */
  total: number | null;
  /** Customers checked so far, failed ones included. */
  done: number;
  /** Customers whose lookup failed. */
  failed: number;
  /** The stage the run was in, e.g. `ingest`, `fanOut`, `report`. */
  stage: string;
}

export interface NoticeEmailOptions {
  from: string;
  to: string | string[];
  runId: string;
  inputFile: string;
  outcome: RunOutcome;
  /** What went wrong, in words a person can act on. */
  reason: string;
  /** How far the run got; leave out when nothing was recorded. */
  progress?: NoticeProgress;
  uiLink: string;
}

const OUTCOME_WORDS: Record<RunOutcome, string> = {
  FAILED: 'failed',
  CANCELLED: 'was cancelled',
  TIMED_OUT: 'timed out',
};

/** The report email as a raw MIME message, for SES SendRawEmail. */
export async function composeReportEmail(options: ReportEmailOptions): Promise<Buffer> {
  checkKeys(options, ['from', 'to', 'runId', 'inputFile', 'totals', 'uiLink'], ['attachment', 'link']);
  const { runId, inputFile, totals, uiLink, attachment, link } = options;
  checkLink(uiLink);
  if ((attachment === undefined) === (link === undefined)) throw new EmailError('Email options need one of attachment and link', 'EMAIL_OPTIONS');
  if (attachment) {
    checkKeys(attachment, ['filename', 'content'], [], 'attachment.');
    if (typeof attachment.content !== 'string' && !Buffer.isBuffer(attachment.content)) {
      throw new EmailError('Email option attachment.content must be a Buffer or a file path', 'EMAIL_OPTIONS');
    }
  }
  if (link) {
    checkKeys(link, ['filename', 'url', 'sizeBytes', 'expiresAt'], [], 'link.');
    checkLink(link.url);
  }

  const counts: [string, string][] = [
    ['Customers checked', formatCount(totals.customers)],
    ...RATINGS.map((r): [string, string] => [`Rating ${r}`, formatCount(totals.byRating[r] ?? 0)]),
    ['Rejected rows', formatCount(totals.rejected)],
    ['Total due', formatUsd(totals.totalDueCents)],
  ];
  const where = link
    ? `is too large to attach (${formatMegabytes(link.sizeBytes)}). Download ${link.filename} by ${link.expiresAt.toISOString()} from:`
    : `is attached (${attachment!.filename}).`;
  const text = [
    `The credit report for ${inputFile} ${where}`,
    ...(link ? [link.url] : []),
    '',
    `Run: ${runId}`,
    ...counts.map(([label, value]) => `${label}: ${value}`),
    '',
    `The run in Temporal: ${uiLink}`,
    '',
  ].join('\n');
  const html = page([
    link
      ? `<p>The credit report for <b>${escapeHtml(inputFile)}</b> is too large to attach (${formatMegabytes(link.sizeBytes)}). ` +
        `<a href="${escapeHtml(link.url)}">Download ${escapeHtml(link.filename)}</a> by ${escapeHtml(link.expiresAt.toISOString())}.</p>`
      : `<p>The credit report for <b>${escapeHtml(inputFile)}</b> is attached (${escapeHtml(attachment!.filename)}).</p>`,
    `<p>Run: ${escapeHtml(runId)}</p>`,
    table(counts),
    `<p><a href="${escapeHtml(uiLink)}">The run in Temporal</a></p>`,
  ]);

  const fromPath = typeof attachment?.content === 'string';
  return build({
    from: options.from,
    to: options.to,
    subject: oneLine(`Credit report for ${inputFile} (${runId})`),
    text,
    html,
    attachments: attachment
      ? [
          {
            filename: attachment.filename,
            contentType: XLSX_CONTENT_TYPE,
            ...(fromPath ? { path: attachment.content as string } : { content: attachment.content }),
          },
        ]
      : [],
    disableUrlAccess: true,
    disableFileAccess: !fromPath,
  });
}

/** The email for a run that did not produce a report: what happened and how far it got. */
export async function composeNoticeEmail(options: NoticeEmailOptions): Promise<Buffer> {
  checkKeys(options, ['from', 'to', 'runId', 'inputFile', 'outcome', 'reason', 'uiLink'], ['progress']);
  const { runId, inputFile, outcome, reason, progress, uiLink } = options;
  checkLink(uiLink);
  const words = OUTCOME_WORDS[outcome];
  if (!words) throw new EmailError(`Email option outcome must be one of ${Object.keys(OUTCOME_WORDS).join(', ')}`, 'EMAIL_OPTIONS');
  if (progress !== undefined) checkKeys(progress, ['total', 'done', 'failed', 'stage'], [], 'progress.');

  const headline = `The credit check of ${inputFile} ${words}.`;
  let howFar = 'No progress was recorded.';
  if (progress) {
    const { stage, done, total, failed } = progress;
    const checked = `${formatCount(done)}${total === null ? '' : ` of ${formatCount(total)}`} customers checked (${formatCount(failed)} failed)`;
    // total is null until the whole sheet has been read.
    howFar = `It stopped in the ${stage} stage, ${total === null ? 'before the sheet had been read to its end, ' : ''}with ${checked}.`;
  }
  const text = [headline, '', `Reason: ${reason}`, '', howFar, '', `Run: ${runId}`, `The run in Temporal: ${uiLink}`, ''].join('\n');
  const html = page([
    `<p>${escapeHtml(headline)}</p>`,
    `<p>Reason: ${escapeHtml(reason)}</p>`,
    `<p>${escapeHtml(howFar)}</p>`,
    `<p>Run: ${escapeHtml(runId)}</p>`,
    `<p><a href="${escapeHtml(uiLink)}">The run in Temporal</a></p>`,
  ]);
  return build({
    from: options.from,
    to: options.to,
    subject: oneLine(`Credit report for ${inputFile} (${runId}) ${words}`),
    text,
    html,
    disableUrlAccess: true,
    disableFileAccess: true,
  });
}

/** CRLF throughout, as RFC 5322 wants, whatever the bodies were written with. */
export function build(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer({ ...mail, newline: 'windows' }).compile().build();
}

export function page(body: string[]): string {
  return `<!doctype html>\n<html><body style="font-family: sans-serif">\n${body.join('\n')}\n</body></html>\n`;
}

function table(rows: [string, string][]): string {
  const cells = rows.map(([label, value]) => `<tr><td>${escapeHtml(label)}</td><td style="text-align: right">${escapeHtml(value)}</td></tr>`);
  return `<table>\n${cells.join('\n')}\n</table>`;
}

/** A link into the email must not be `javascript:` or the like. */
export function checkLink(link: string): void {
  let url: URL;
  try {
    url = new URL(link);
  } catch (error) {
    throw new EmailError(`Email option uiLink is not a URL: ${link}`, 'EMAIL_OPTIONS', { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EmailError(`Email option uiLink must be an http(s) URL, got ${url.protocol}`, 'EMAIL_OPTIONS');
  }
}

/** Refuses unknown keys and missing required ones, since these options come from the workflow's input. */
function checkKeys(value: unknown, required: readonly string[], optional: readonly string[], prefix = ''): void {
  if (typeof value !== 'object' || value === null) {
    throw new EmailError(`Email option ${prefix || 'object'} must be an object`, 'EMAIL_OPTIONS');
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !required.includes(k) && !optional.includes(k));
  if (unknown.length > 0) {
    throw new EmailError(`Unknown email option(s): ${unknown.map((k) => prefix + k).join(', ')}`, 'EMAIL_OPTIONS');
  }
  const missing = required.filter((k) => record[k] === undefined || record[k] === '');
  if (missing.length > 0) {
    throw new EmailError(`Missing email option(s): ${missing.map((k) => prefix + k).join(', ')}`, 'EMAIL_OPTIONS');
  }
}
