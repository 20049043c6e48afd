import { createHash } from 'node:crypto';

/**
 * The workflow id of the run for one version of one object. The same event delivered
 * twice, or the same content uploaded again under the same key, names the same run, and
 * Temporal refuses to start it twice; a changed file has a new ETag and a new run. The
 * input file itself is a search attribute, so the id stays short: it is part of the
 * table's and the report's names. Here below the entry points, since the trigger, the CLI
 * and control/ (a credit check fired by hand or through the API) all name runs with it.
 */
export function runIdFor(bucket: string, key: string, version: string): string {
  const digest = createHash('sha256').update(`${bucket}\0${key}\0${version.replace(/"/g, '')}`).digest('hex').slice(0, 12);
  return `credit-${digest}`;
}
