/**
 * `drover process start credit-check`: the built-in credit check runs as its own workflow,
 * fired by an upload, not as runJob. Starting it from here is to come; until then this is the
 * one place that branch lives.
 */
import { errorWithCode } from '../errors/drover-error.js';
import type { LedgerSession } from './ledger-session.js';

export class ProcessStartError extends errorWithCode('ProcessStartError', 'PROCESS_START_UNSUPPORTED') {}

export interface CreditCheckStart {
  /** Checked against the credit-check job's parameter schema. */
  parameters: Record<string, unknown>;
  triggeredBy: string;
}

/** Starts a credit check as a process and returns its id, which `process start` then prints or waits for. */
export async function startCreditCheckProcess(session: LedgerSession, start: CreditCheckStart): Promise<{ processId: string }> {
  void session;
  void start;
  throw new ProcessStartError('credit-check is started by an upload (drover run FILE) for now');
}
