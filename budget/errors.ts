/** Errors of the source budget. Each carries a stable `name` and `code`. */

/** Options that are missing, of the wrong type or out of range, or an unknown key. */
export class BudgetOptionsError extends Error {
  override readonly name = 'BudgetOptionsError';
  readonly code = 'BUDGET_OPTIONS';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `acquire()` on a budget that is closed, or that was closed while the caller waited. */
export class BudgetClosedError extends Error {
  override readonly name = 'BudgetClosedError';
  readonly code = 'BUDGET_CLOSED';

  constructor(message = 'the source budget is closed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A shared-state write that kept losing to other children's writes, past a sane number of tries. */
export class BudgetContentionError extends Error {
  override readonly name = 'BudgetContentionError';
  readonly code = 'BUDGET_CONTENTION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
