import { upsertSearchAttributes } from '@temporalio/workflow';
import { StageAttribute } from '../contracts/search-attributes.js';

/**
 * The stage a run is in, shown by the DroverStage search attribute (so runs can be listed by
 * stage), and the seconds each stage took. The first stage is not timed: the run has not
 * begun its work yet.
 */
export class StageTracker<S extends string> {
  /** Seconds each stage took, by stage, as stages end. */
  readonly seconds: Record<string, number> = {};
  #current: S;
  readonly #first: S;
  #started = Date.now();

  /** `onEnter` hears of each stage entered, after the search attribute is set. */
  constructor(
    first: S,
    private readonly onEnter: (stage: S) => void = () => undefined,
  ) {
    this.#current = first;
    this.#first = first;
  }

  get current(): S {
    return this.#current;
  }

  /** Ends the current stage (timing it, unless it is the first) and begins `stage`. */
  enter(stage: S): void {
    if (this.#current !== this.#first) this.seconds[this.#current] = (Date.now() - this.#started) / 1000;
    this.#started = Date.now();
    this.#current = stage;
    this.onEnter(stage);
    upsertSearchAttributes([{ key: StageAttribute, value: stage }]);
  }
}
