import { errorWithCode } from '../errors/drover-error.js';

/** A job, version or process the ledger does not hold. */
export class LedgerNotFoundError extends errorWithCode('LedgerNotFoundError', 'LEDGER_NOT_FOUND') {}

/** A change the catalog refuses: editing a built-in job, retrying a process that has not ended. */
export class LedgerConflictError extends errorWithCode('LedgerConflictError', 'LEDGER_CONFLICT') {}
