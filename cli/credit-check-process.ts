/**
 * `drover process start credit-check`: the built-in credit check runs as its own workflow
 * (start-credit-check.ts), not as runJob; this is where `process start` hands it over.
 */
import type { LedgerSession } from './ledger-session.js';
import { startCreditCheckProcess as start } from './start-credit-check.js';

export interface CreditCheckStart {
  /** Checked against the credit-check job's parameter schema. */
  parameters: Record<string, unknown>;
  triggeredBy: string;
}

/** Starts a credit check as a process and returns its id (its workflow id), which `process start` then prints or waits for. */
export async function startCreditCheckProcess(session: LedgerSession, { parameters, triggeredBy }: CreditCheckStart): Promise<{ processId: string }> {
  const processId = await start({
    client: await session.temporal(),
    s3: session.aws().s3,
    db: session.ledger(),
    config: session.config,
    parameters: parameters as { key: string; notify?: string },
    triggeredBy,
  });
  return { processId };
}
