import { BatchClientError } from './errors.js';

/**
 * One page of a list. The token is the offset of the next item, base64-encoded so callers
 * treat it as opaque, as they must on AWS.
 */
export function paginate<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined, defaultMax: number): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    start = Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new BatchClientError(`nextToken ${nextToken} is not valid`);
  }
  const size = maxResults ?? defaultMax;
  const end = start + size;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(String(end), 'utf8').toString('base64') } : { page };
}
