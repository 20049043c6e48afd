import { CancellationScope, condition, log, setHandler } from '@temporalio/workflow';
import type { BudgetControl } from '../budget/control.js';
import { pauseSignal, resumeSignal, setMaxInFlightSignal, setSourceLimitSignal, type MaxInFlight, type PauseOptions } from '../contracts/credit-check.js';

/** What the run's controls change: the run's `progress` shows it. */
export interface ControlledRun {
  /** New work is held back (the fan-out's gate). */
  paused: boolean;
  /** The source budget is held as well (`pause {"source": true}`). */
  sourcePaused: boolean;
  /** Work in flight at once (the fan-out's gate). */
  maxInFlight: number;
}

/**
 * The run's controls: the `pause`, `resume`, `setMaxInFlight` and `setSourceLimit` signals.
 * They change `run` at once; a change to the source budget waits here until `followBudget`
 * passes it on, since the budget lives in the run table, which exists only from the
 * fan-out's stage on. Handlers are set when this is made.
 */
export class RunControls {
  /** Budget changes not yet passed on, merged: the later word wins. */
  #pending: BudgetControl | undefined;

  constructor(private readonly run: ControlledRun) {
    setHandler(pauseSignal, (options?: PauseOptions) => {
      run.paused = true;
      if (options?.source === true && !run.sourcePaused) {
        run.sourcePaused = true;
        this.#controlBudget({ paused: true });
      }
    });
    setHandler(resumeSignal, () => {
      run.paused = false;
      if (run.sourcePaused) {
        run.sourcePaused = false;
        this.#controlBudget({ paused: false });
      }
    });
    setHandler(setMaxInFlightSignal, (arg: number | MaxInFlight) => {
      const { jobs, source } = typeof arg === 'number' ? { jobs: arg, source: undefined } : (arg ?? {});
      if (jobs === undefined && source === undefined) log.warn('setMaxInFlight ignored: give a number, or {jobs, source}', { arg });
      this.#setLimits(jobs, source, 'setMaxInFlight');
    });
    // Older than setMaxInFlight's `source`, and kept for the clients that send it: the same change.
    setHandler(setSourceLimitSignal, (n: number) => this.#setLimits(undefined, n, 'setSourceLimit'));
  }

  /**
   * The one handler of both signals that set limits. `source` is always read for setSourceLimit,
   * whose whole argument it is; setMaxInFlight may leave it out.
   */
  #setLimits(jobs: unknown, source: unknown, signal: 'setMaxInFlight' | 'setSourceLimit'): void {
    if (jobs !== undefined) {
      if (isCount(jobs)) this.run.maxInFlight = jobs;
      else log.warn('setMaxInFlight jobs ignored: not a whole number of at least 1', { jobs });
    }
    if (source === undefined && signal === 'setMaxInFlight') return;
    if (isCount(source)) this.#controlBudget({ maxConcurrency: source });
    else log.warn(`${signal === 'setMaxInFlight' ? 'setMaxInFlight source' : signal} ignored: not a whole number of at least 1`, { n: source });
  }

  #controlBudget(change: BudgetControl): void {
    this.#pending = { ...this.#pending, ...change };
  }

  /**
   * Passes the budget changes on to the run table, through `apply` (an activity), while
   * `active()`, and those made before it began. The children read the source's limit and
   * pause flag from there. Not cancellable: it ends once `active()` is false, however the
   * fan-out ends. A change that cannot be applied is logged and dropped.
   */
  followBudget(apply: (change: BudgetControl) => Promise<void>, active: () => boolean): Promise<void> {
    return CancellationScope.nonCancellable(async () => {
      while (active()) {
        await condition(() => this.#pending !== undefined || !active());
        const control = this.#pending;
        this.#pending = undefined;
        if (control === undefined) continue;
        await apply(control).catch((e: unknown) => log.error('could not change the source budget', { ...control, error: String(e) }));
      }
    });
  }
}

function isCount(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1;
}
