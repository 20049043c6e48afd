/** Errors of the source budget: DroverErrors (errors/drover-error.ts). */
import { errorWithCode } from '../errors/drover-error.js';

/** Options that are missing, of the wrong type or out of range, or an unknown key. */
export class BudgetOptionsError extends errorWithCode('BudgetOptionsError', 'BUDGET_OPTIONS') {}

/** `acquire()` on a budget that is closed, or that was closed while the caller waited. */
export class BudgetClosedError extends errorWithCode('BudgetClosedError', 'BUDGET_CLOSED') {}

/** A shared-state write that kept losing to other children's writes, past a sane number of tries. */
export class BudgetContentionError extends errorWithCode('BudgetContentionError', 'BUDGET_CONTENTION') {}
