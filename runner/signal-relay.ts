/**
 * The runner's children and the signals meant for them. On AWS Batch the runner is the
 * container's main process and alone receives the SIGTERM that stops a job (SIGKILL follows),
 * so it passes SIGTERM and SIGINT on to the process it waits on. Locally the executor signals
 * the runner's whole process group, so the child then gets the signal twice: harmless, as a
 * second SIGTERM finds it already stopping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { StepSpawnError } from './runner-errors.js';

const RELAYED = ['SIGTERM', 'SIGINT'] as const;

/** A process's exit status as a container runtime reports it: its code, or 128 + the signal's number. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}

export class SignalRelay {
  /** The first signal received: the runner is stopping, and starts nothing more. */
  received: NodeJS.Signals | undefined;
  readonly #abort = new AbortController();
  #current: ChildProcess | undefined;

  constructor() {
    for (const signal of RELAYED) process.on(signal, () => this.#relay(signal));
  }

  /** Aborted on the first signal, for the work between children (the download). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** The status the runner exits with when it was stopped by a signal. */
  get stoppedStatus(): number | undefined {
    return this.received === undefined ? undefined : exitStatus(null, this.received);
  }

  #relay(signal: NodeJS.Signals): void {
    this.received ??= signal;
    this.#abort.abort();
    this.#current?.kill(signal);
  }

  /**
   * Runs `argv` with the runner's stdio and resolves with its exit status. Starts nothing once a
   * signal came (resolves with the signal's status); rejects with StepSpawnError when it cannot start.
   */
  run(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
    if (this.stoppedStatus !== undefined) return Promise.resolve(this.stoppedStatus);
    const [file, ...args] = argv;
    return new Promise((resolve, reject) => {
      const child = spawn(file ?? '', args, { cwd: options.cwd, env: options.env, stdio: 'inherit' });
      this.#current = child;
      child.once('error', (error) => {
        // After a successful spawn, 'error' only reports a failed kill; 'exit' still comes.
        if (child.pid !== undefined) return;
        this.#current = undefined;
        reject(new StepSpawnError(`cannot run ${JSON.stringify(file)}: ${error.message}`, { cause: error }));
      });
      child.once('exit', (code, signal) => {
        this.#current = undefined;
        resolve(exitStatus(code, signal));
      });
    });
  }
}
