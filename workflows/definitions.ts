/**
 * The workflows' public surface, for clients that import it from here: it is defined in
 * contracts/, below the activities, which send some of these signals themselves.
 */
export * from '../contracts/credit-check.js';
export * from '../contracts/job-process.js';
export * from '../contracts/search-attributes.js';
export * from '../contracts/sweeper.js';
