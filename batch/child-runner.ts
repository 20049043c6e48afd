import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import type { MemoryWatch } from './memory-watch.js';

export interface RunAttemptOptions {
  /** argv; argv[0] is looked up on the PATH of `env`. */
  command: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** stdout and stderr are appended here, after a header line naming the attempt. */
  logFile: string;
  /** Shown in the header line of the log file. */
  label: string;
  /** Kill the attempt after this long; undefined for no limit. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /**
   * Kill the whole group at once with SIGKILL, as a container's OOM kill does, when its
   * resident memory passes `bytes`; undefined for no limit.
   */
  memoryLimit?: { bytes: number; watch: MemoryWatch };
  /** Called once the process exists (the attempt becomes RUNNING). */
  onStarted?: (pid: number) => void;
}

export interface AttemptOutcome {
  /** Exit status, or 128 + the signal number (as a container runtime reports it); undefined when the process never started. */
  exitCode?: number;
  /** Why the process could not start. */
  startError?: string;
  timedOut: boolean;
  /** Killed for passing its memory limit; the exit code is then 137, as for a container's OOM kill. */
  outOfMemory: boolean;
  /** Byte offset in the log file where this attempt's output begins. */
  logOffset: number;
}

export interface RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  /** SIGTERM to the process group, SIGKILL after the grace period. Safe to call more than once. */
  stop(): void;
}

/**
 * Runs one attempt as its own process group (`detached`), so stopping it reaches every
 * process the command started, and nothing outlives it: like a container, when the main
 * process exits the rest of the group is killed.
 */
export function runAttempt(options: RunAttemptOptions): RunningAttempt {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  let logOffset: number;
  try {
    writeSync(fd, `--- ${options.label} started ${new Date().toISOString()} ---\n`);
    logOffset = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const [file, ...args] = options.command;
  const child = spawn(file ?? '', args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  // The child holds its own copy of the descriptor.
  closeSync(fd);

  let exited = false;
  let timedOut = false;
  let outOfMemory = false;
  let unwatchMemory: (() => void) | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  const stop = (): void => {
    if (exited || graceTimer !== undefined || child.pid === undefined) return;
    signalGroup('SIGTERM');
    graceTimer = setTimeout(() => signalGroup('SIGKILL'), options.killGraceMs);
  };

  const done = new Promise<AttemptOutcome>((resolve) => {
    const finish = (outcome: Omit<AttemptOutcome, 'timedOut' | 'outOfMemory' | 'logOffset'>): void => {
      if (exited) return;
      exited = true;
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      unwatchMemory?.();
      resolve({ ...outcome, timedOut, outOfMemory, logOffset });
    };
    child.once('spawn', () => {
      if (options.timeoutMs !== undefined) {
        timeoutTimer = setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs);
      }
      const { memoryLimit } = options;
      if (memoryLimit !== undefined && child.pid !== undefined) {
        unwatchMemory = memoryLimit.watch.watch(child.pid, memoryLimit.bytes, () => {
          outOfMemory = true;
          signalGroup('SIGKILL');
        });
      }
      options.onStarted?.(child.pid ?? 0);
    });
    child.once('error', (error) => {
      // After a successful spawn, 'error' only reports a failed kill; 'exit' still comes.
      if (child.pid === undefined) finish({ startError: error.message });
    });
    child.once('exit', (code, signal) => {
      signalGroup('SIGKILL');
      // Once killed for memory, the attempt is the OOM kill, even if the main process was already on its way out.
      const exitCode = outOfMemory ? 128 + constants.signals.SIGKILL : code ?? 128 + (signal ? constants.signals[signal] : 0);
      finish({ exitCode });
    });
  });

  return { done, stop };
}
