/** What a test budget child does, passed to it as JSON in BUDGET_CHILD. */
export interface BudgetChildConfig {
  endpoint: string;
  table: string;
  clientId: string;
  maxConcurrency: number;
  maxRps?: number;
  /** The child's own concurrency, and its block size. */
  concurrency: number;
  leaseMs?: number;
  clockSkewMs?: number;
  increaseRps?: number;
  cooldownMs?: number;
  /**
   * scrape: look up `parcels` through the tax client and exit.
   * loop: look `parcels` up round and round until SIGTERM, then drain and exit.
   * hold: acquire `concurrency` slots directly and keep them until killed.
   */
  mode: 'scrape' | 'loop' | 'hold';
  portalUrl?: string;
  parcels?: string[];
}

/** One line the child prints on stdout. */
export type BudgetChildEvent =
  | { event: 'asking' }
  | { event: 'holding'; slots: number }
  | { event: 'done'; lookups: number; byStatus: Record<string, number> };
