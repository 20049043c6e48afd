export { creditCheck } from './credit-check.js';
