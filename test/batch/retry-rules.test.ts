import { describe, expect, it } from '@jest/globals';
import { shouldRetry } from '../../batch/retry-rules.js';
import type { AttemptRecord } from '../../batch/types.js';

const failed = (exitCode: number | undefined, statusReason = 'Essential container in task exited', reason?: string): AttemptRecord => ({
  startedAt: 1, stoppedAt: 2, logFile: 'x.log', statusReason,
  ...(exitCode === undefined ? {} : { exitCode }),
  ...(reason === undefined ? {} : { reason }),
});

describe('shouldRetry', () => {
  it('retries while attempts remain when no rule matches', () => {
    expect(shouldRetry({ attempts: 2, evaluateOnExit: [] }, 1, failed(1))).toBe(true);
    expect(shouldRetry({ attempts: 2, evaluateOnExit: [] }, 2, failed(1))).toBe(false);
    expect(shouldRetry({ attempts: 3, evaluateOnExit: [{ onExitCode: '9', action: 'EXIT' }] }, 1, failed(1))).toBe(true);
  });

  it('lets the first matching rule decide', () => {
    const strategy = { attempts: 5, evaluateOnExit: [
      { onExitCode: '4*', action: 'EXIT' as const },
      { onStatusReason: 'Job attempt duration*', action: 'RETRY' as const },
      { onExitCode: '*', action: 'EXIT' as const },
    ] };
    expect(shouldRetry(strategy, 1, failed(42))).toBe(false);
    expect(shouldRetry(strategy, 1, failed(4))).toBe(false);
    expect(shouldRetry(strategy, 1, failed(143, 'Job attempt duration exceeded timeout'))).toBe(true);
    expect(shouldRetry(strategy, 1, failed(14))).toBe(false);
  });

  it('needs every condition of a rule, and an absent value matches no pattern', () => {
    const strategy = { attempts: 5, evaluateOnExit: [{ onExitCode: '1', onReason: 'CannotStart*', action: 'EXIT' as const }] };
    expect(shouldRetry(strategy, 1, failed(1))).toBe(true);
    expect(shouldRetry(strategy, 1, failed(1, 'x', 'CannotStartContainerError: boom'))).toBe(false);
    const onCode = { attempts: 5, evaluateOnExit: [{ onExitCode: '*', action: 'EXIT' as const }] };
    expect(shouldRetry(onCode, 1, failed(undefined, 'CannotStartContainerError', 'CannotStartContainerError: x'))).toBe(true);
  });
});
