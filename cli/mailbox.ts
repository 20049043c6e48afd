/**
 * The emulator's outbox. SES on AWS delivers mail; moto keeps it, and the embedded stack's moto
 * (stack/moto-server.py) answers `GET /_drover/outbox?contains=<text>` with the kept messages
 * whose raw MIME contains the text, so the CLI can save what a run sent as `.eml` files.
 *
 * Not moto's `/moto-api/data.json`: that serialises every model of every service, S3 objects
 * included, so it grows with all the emulator holds, and after a large (multipart) upload it
 * fails with HTTP 500. The route reads SES's sent messages alone.
 */
import { errorWithCode } from '../errors/drover-error.js';

export interface SentEmail {
  id: string;
  source: string;
  destinations: string[];
  raw: string;
}

export const OUTBOX_PATH = '/_drover/outbox';

/** The emulator's outbox cannot be read: it did not answer, is not the embedded stack's moto, or failed. */
export class OutboxError extends errorWithCode('OutboxError', 'OUTBOX_UNAVAILABLE') {}

/** The kept messages whose raw MIME contains `contains` (every message without it), oldest first. */
export async function fetchSentEmails(endpoint: string, contains?: string): Promise<SentEmail[]> {
  const url = new URL(OUTBOX_PATH, endpoint);
  if (contains !== undefined) url.searchParams.set('contains', contains);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (cause) {
    throw new OutboxError(`the emulator's outbox at ${url.origin} did not answer: ${(cause as Error).message}`, { cause });
  }
  if (res.status === 404) {
    await res.arrayBuffer();
    throw new OutboxError(`the emulator at ${url.origin} has no outbox (${OUTBOX_PATH}): it is not the embedded stack's moto (stack/moto-server.py)`);
  }
  if (!res.ok) throw new OutboxError(`the emulator's outbox answered HTTP ${res.status}`);
  const { messages } = (await res.json()) as { messages: SentEmail[] };
  return messages;
}

/** The emails of one run: every message names its run id in the subject and body. */
export async function emailsOfRun(endpoint: string, runId: string): Promise<SentEmail[]> {
  return fetchSentEmails(endpoint, runId);
}
