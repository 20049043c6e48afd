import type { AttemptRecord, EvaluateOnExit, RetryStrategy } from './types.js';

/**
 * Whether a failed attempt is tried again, as AWS Batch decides it: never past
 * `attempts`; otherwise the first evaluateOnExit rule whose conditions all match
 * decides, and when none matches the attempt is retried.
 */
export function shouldRetry(strategy: RetryStrategy, attemptsMade: number, failed: AttemptRecord): boolean {
  if (attemptsMade >= strategy.attempts) return false;
  const rule = strategy.evaluateOnExit.find((r) => ruleMatches(r, failed));
  return rule === undefined || rule.action === 'RETRY';
}

export function ruleMatches(rule: EvaluateOnExit, attempt: AttemptRecord): boolean {
  return (
    conditionMatches(rule.onExitCode, attempt.exitCode === undefined ? undefined : String(attempt.exitCode)) &&
    conditionMatches(rule.onReason, attempt.reason) &&
    conditionMatches(rule.onStatusReason, attempt.statusReason)
  );
}

/** An absent condition matches anything; a present one needs a value to match. */
function conditionMatches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return globToRegExp(pattern).test(value);
}

/** AWS documents only a trailing `*`; accepting it anywhere is a harmless superset. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}
