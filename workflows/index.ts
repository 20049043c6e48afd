export { creditCheck } from './credit-check.js';
export { sweeper } from './sweeper.js';
