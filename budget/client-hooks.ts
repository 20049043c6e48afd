/**
 * Fits a source budget to the tax client's hooks. The client calls `beforeRequest` before
 * each HTTP request and `onResponse` when an answer arrives, but nothing when a request
 * ends without one (timeout, reset). So slots are tickets: an answer returns the oldest
 * ticket, and a ticket no answer returned goes back by itself once the request timeout
 * (plus a margin) has passed, by when its request has surely ended. Returning the oldest
 * rather than "its own" ticket keeps the tickets held at least as many as the requests in
 * flight: only a request that ended without an answer can leave a ticket to its timer.
 */
import { BudgetOptionsError } from './errors.js';
import type { Release, SourceBudget } from './source-budget.js';

export interface BudgetHookOptions {
  /** The tax client's `timeoutMs`: no request outlives it. Integer >= 1. Required. */
  requestTimeoutMs: number;
  /** Added to the timeout before an unanswered ticket goes back. Integer ms >= 0. Default 1000. */
  marginMs?: number;
}

export interface BudgetHooks {
  beforeRequest(): Promise<void>;
  onResponse(status: number, retryAfterMs?: number): void;
  /** Tickets held now (requests in flight, or ended unanswered within the timeout). */
  outstanding(): number;
}

interface Ticket {
  release: Release;
  timer: NodeJS.Timeout;
}

/** @throws {BudgetOptionsError} on bad options. */
export function budgetHooks(budget: SourceBudget, options: BudgetHookOptions): BudgetHooks {
  const unknown = Object.keys(options ?? {}).filter((k) => k !== 'requestTimeoutMs' && k !== 'marginMs');
  if (unknown.length > 0) throw new BudgetOptionsError(`unknown budget hook option(s): ${unknown.join(', ')}`);
  const { requestTimeoutMs, marginMs = 1000 } = options;
  if (!Number.isSafeInteger(requestTimeoutMs) || requestTimeoutMs < 1) throw new BudgetOptionsError(`requestTimeoutMs must be an integer >= 1, got ${String(requestTimeoutMs)}`);
  if (!Number.isSafeInteger(marginMs) || marginMs < 0) throw new BudgetOptionsError(`marginMs must be an integer >= 0, got ${String(marginMs)}`);

  const tickets: Ticket[] = [];
  const settle = (ticket: Ticket): void => {
    const i = tickets.indexOf(ticket);
    if (i < 0) return;
    tickets.splice(i, 1);
    clearTimeout(ticket.timer);
    ticket.release();
  };

  return {
    async beforeRequest() {
      const release = await budget.acquire();
      const ticket: Ticket = { release, timer: setTimeout(() => settle(ticket), requestTimeoutMs + marginMs).unref() };
      tickets.push(ticket);
    },
    onResponse(status, retryAfterMs) {
      budget.report(status, retryAfterMs);
      const oldest = tickets[0];
      if (oldest) settle(oldest);
    },
    outstanding: () => tickets.length,
  };
}
