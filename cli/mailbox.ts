/**
 * The emulator's outbox. SES on AWS delivers mail; moto keeps it, and shows it at
 * `/moto-api/data.json`, so the CLI can save what a run sent as `.eml` files.
 */
export interface SentEmail {
  id: string;
  source: string;
  destinations: string[];
  raw: string;
}

export async function fetchSentEmails(endpoint: string): Promise<SentEmail[]> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  if (!res.ok) throw new Error(`the emulator's outbox answered HTTP ${res.status}`);
  const data = (await res.json()) as { ses?: { RawMessage?: { id: string; source: string; destinations: string[]; raw_data: string }[] } };
  return (data.ses?.RawMessage ?? []).map((m) => ({ id: m.id, source: m.source, destinations: m.destinations, raw: m.raw_data }));
}

/** The emails of one run: every message names its run id in the subject and body. */
export async function emailsOfRun(endpoint: string, runId: string): Promise<SentEmail[]> {
  return (await fetchSentEmails(endpoint)).filter((m) => m.raw.includes(runId));
}
