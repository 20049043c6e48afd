import { createHash } from 'node:crypto';

/**
 * The workflow id of the run for one version of one object. The same event delivered
 * twice, or the same content uploaded again under the same key, names the same run, and
 * Temporal refuses to start it twice; a changed file has a new ETag and a new run. The
 * file's stem keeps the id readable in the Web UI.
 */
export function runIdFor(bucket: string, key: string, version: string): string {
  const stem = (key.split('/').pop() ?? key).replace(/\.xlsx$/i, '');
  const readable = stem.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'upload';
  const digest = createHash('sha256').update(`${bucket}\0${key}\0${version.replace(/"/g, '')}`).digest('hex').slice(0, 12);
  return `credit-${readable}-${digest}`;
}
