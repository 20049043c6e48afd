/** The tax source's politeness budget, shared by every array child of a run. */
export { createSourceBudget, type BudgetSnapshot, type Release, type SourceBudget, type SourceBudgetOptions } from './source-budget.js';
export { readBudgetState, type BudgetState } from './state-item.js';
export { listBudgetLeases, type Lease } from './leases.js';
export { setBudgetControl, type BudgetControl, type BudgetDefaults } from './control.js';
export { budgetHooks, type BudgetHookOptions, type BudgetHooks } from './client-hooks.js';
export { BudgetClosedError, BudgetContentionError, BudgetOptionsError } from './errors.js';
