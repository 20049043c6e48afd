import { errorWithCode } from '../errors/drover-error.js';

/** A portal option (from code or the command line) is unknown or out of range. */
export class PortalOptionsError extends errorWithCode('PortalOptionsError', 'PORTAL_OPTIONS') {}
