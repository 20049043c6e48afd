/**
 * Small workflows that run one module of workflows/ each, with stub activities, so the
 * module's logic is tested in seconds on the pinned dev server (harness/env.ts). Bundled by
 * the tests' own Worker: these are not the product's workflows.
 */
import { ActivityCancellationType, CancellationScope, condition, defineQuery, defineSignal, isCancellation, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BudgetControl } from '../../../budget/control.js';
import { Compensations } from '../../../workflows/compensations.js';
import { fanOut, WorkFeed } from '../../../workflows/fan-out.js';
import { RunControls, type ControlledRun } from '../../../workflows/run-controls.js';
import { StageTracker } from '../../../workflows/stage-tracker.js';

/** The stub activities the harness workflows call; each test supplies them. */
export interface HarnessActivities {
  work(item: number): Promise<void>;
  undo(step: number): Promise<void>;
  controlBudget(change: BudgetControl): Promise<void>;
}

const { work, undo, controlBudget } = proxyActivities<HarnessActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
  // As the credit check's jobs do: a cancelled item is waited for until it has stopped.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export const addSignal = defineSignal<[number]>('add');
export const completeSignal = defineSignal('complete');
export const gateSignal = defineSignal<[{ paused?: boolean; maxInFlight?: number }]>('gate');
export interface FanOutState {
  running: number;
  done: number;
  /** The most items that ran at once. */
  mostAtOnce: number;
  started: number[];
  /** Items in the feed: once the query shows them, the fan-out has seen them (it decides in the same workflow task). */
  added: number;
  complete: boolean;
}
export const fanOutStateQuery = defineQuery<FanOutState>('fanOutState');

/** Items from the `add` signal (then `complete`), each an activity `work(item)`, through fanOut. */
export async function fanOutHarness(options: { asTheyCome: boolean; maxInFlight: number; paused?: boolean }): Promise<FanOutState> {
  const feed = new WorkFeed<number>((item) => item);
  const gate = { paused: options.paused ?? false, maxInFlight: options.maxInFlight };
  const counts = { running: 0, done: 0 };
  const state = { mostAtOnce: 0, started: [] as number[] };
  const now = (): FanOutState => ({ ...state, running: counts.running, done: counts.done, added: feed.items.length, complete: feed.complete });
  setHandler(addSignal, (item) => void feed.add(item));
  setHandler(completeSignal, () => void (feed.complete = true));
  setHandler(gateSignal, (change) => void Object.assign(gate, change));
  setHandler(fanOutStateQuery, now);
  await CancellationScope.cancellable(() =>
    fanOut(
      feed,
      async (item) => {
        state.started.push(item);
        state.mostAtOnce = Math.max(state.mostAtOnce, counts.running);
        await work(item);
      },
      gate,
      counts,
      options.asTheyCome,
    ),
  );
  return now();
}

/** Enters each stage in turn, staying `ms` in each; returns the seconds the tracker kept. */
export async function stageTrackerHarness(stages: string[], ms: number): Promise<{ seconds: Record<string, number>; entered: string[]; current: string }> {
  const entered: string[] = [];
  const tracker = new StageTracker<string>('starting', (stage) => entered.push(stage));
  for (const stage of stages) {
    tracker.enter(stage);
    await sleep(ms);
  }
  return { seconds: tracker.seconds, entered, current: tracker.current };
}

/**
 * Registers `steps` undo steps (activity `undo(i)`), then waits to be cancelled, and compensates
 * in a scope that cannot be cancelled, twice: the second time has nothing left to run.
 */
export async function compensationsHarness(steps: number): Promise<string> {
  const compensations = new Compensations();
  for (let i = 0; i < steps; i++) compensations.add(`step ${i}`, () => undo(i));
  try {
    await condition(() => false);
    return 'not cancelled';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      await compensations.runAll();
      await compensations.runAll();
    });
    return 'compensated';
  }
}

export const followSignal = defineSignal('follow');
export const stopSignal = defineSignal('stop');
export const controlledQuery = defineQuery<ControlledRun>('controlled');

/**
 * The run's controls on a run of its own: budget changes wait until `follow`, then go to the
 * activity `controlBudget` until `stop`.
 */
export async function runControlsHarness(maxInFlight: number): Promise<ControlledRun> {
  const run: ControlledRun = { paused: false, sourcePaused: false, maxInFlight };
  const controls = new RunControls(run);
  let following = false;
  let active = true;
  setHandler(controlledQuery, () => run);
  setHandler(followSignal, () => void (following = true));
  setHandler(stopSignal, () => void (active = false));
  await condition(() => following || !active);
  await controls.followBudget((change) => controlBudget(change), () => active);
  return run;
}
