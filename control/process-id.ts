import { randomBytes } from 'node:crypto';

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A new process id, `<job id>-<UTC yyyymmdd-hhmmss>-<6 random hex>` (PROCESS_ID_PATTERN):
 * sorted by time within a job, and 16M ids a second before two could meet.
 */
export function newProcessId(jobId: string, now: Date = new Date(), random: () => string = () => randomBytes(3).toString('hex')): string {
  const date = `${now.getUTCFullYear()}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}`;
  const time = `${two(now.getUTCHours())}${two(now.getUTCMinutes())}${two(now.getUTCSeconds())}`;
  return `${jobId}-${date}-${time}-${random()}`;
}
