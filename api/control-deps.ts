import type { ControlDeps } from '../control/deps.js';
import type { ApiDeps } from './deps.js';

/** What control/ acts with, from the clients the server made at its start. */
export function controlDepsOf(deps: ApiDeps): ControlDeps {
  return { db: deps.db, temporal: () => deps.temporal, aws: () => deps.aws, config: deps.config };
}
