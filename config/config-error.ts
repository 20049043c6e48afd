import { errorWithCode } from '../errors/drover-error.js';

/** A setting that is unknown, malformed or out of range, or settings that contradict each other. */
export class ConfigError extends errorWithCode('ConfigError', 'CONFIG_INVALID') {}
