/**
 * The credit check's public surface: its name, input, result, queries and signals, and the
 * chunks that ingest tells it of. The workflow, its activities and its clients (CLI, trigger)
 * all import this file, so it sits below the activities and stays free of Node APIs.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FanOutPlan } from '../budget/fan-out-plan.js';

export const CREDIT_CHECK_WORKFLOW = 'creditCheck';

/** One chunk of a run: a JSON Lines object of at most 10,000 records, one Batch array job. */
export interface ChunkRef {
  index: number;
  /** S3 key of the records, one JSON CustomerRecord per line. */
  key: string;
  /** S3 key of the slice index: byte ranges of each child's records. */
  indexKey: string;
  count: number;
  firstSeq: number;
  /** Array children of the chunk's job. */
  children: number;
  /**
   * Requests each child keeps in flight at most (TAX_SOURCE_CHILD_CONCURRENCY of its job), from the
   * run's fan-out plan. Absent in chunks stored before the plan existed: the worker's setting, else 8.
   */
  childConcurrency?: number;
}

export interface CreditCheckInput {
  bucket: string;
  /** Object key of the upload, under `incoming/`. */
  key: string;
  /** ETag or version id of the object the run was started for. */
  etag: string;
  /** Where the report and notices go. */
  notify: string;
  /** Array jobs in flight at once; defaults to the worker's DROVER_MAX_ARRAY_JOBS. */
  maxInFlight?: number;
}

export type Stage = 'starting' | 'validate' | 'ingest' | 'scrape' | 'report' | 'email' | 'cleanup' | 'done' | 'compensating';

/** The shared politeness budget of the source, as the children last left it in the run table. */
export interface SourceState {
  /** Requests per second the children share now; null when no rate limit applies. */
  rate: number | null;
  /** Request slots leased by children: an upper bound on requests in flight. */
  inFlight: number;
  /** Request slots over all children (TAX_SOURCE_MAX_CONCURRENCY, or what setSourceLimit set). */
  limit: number;
  /** 429 answers the children met over the run. */
  throttled429: number;
}

/** The argument of `pause`; none means `{}`. */
export interface PauseOptions {
  /**
   * true: the source budget is held as well, so the children send no new requests (those in
   * flight finish) and the source goes quiet at once; running jobs wait for `resume`.
   * Default false: running jobs finish at the source's full budget.
   */
  source?: boolean;
}

/** The argument of `setMaxInFlight`: a number is `{jobs: n}`. */
export interface MaxInFlight {
  /** Array jobs in flight at once. Integer >= 1. */
  jobs?: number;
  /** Requests to the source at once over all children (the budget's limit). Integer >= 1. */
  source?: number;
}

export interface Progress {
  /** Customers to check: null until ingest has read the whole sheet, so it never jumps. */
  total: number | null;
  /** Customers with a result, ERROR included: follows the children's writes, at most CHUNK_PROGRESS_EVERY_MS behind. */
  done: number;
  /** Customers whose result is ERROR (and, once a chunk has ended, those it left without one). */
  failed: number;
  stage: Stage;
  paused: boolean;
  /** true while a `pause {"source": true}` holds the source budget. */
  sourcePaused: boolean;
  maxInFlight: number;
  chunks: { total: number; done: number; running: number };
  /** Present once a child has used the budget. */
  source?: SourceState;
  /** How the run fans out (budget/fan-out-plan.ts): present from the end of validation; absent in runs started before plans existed. */
  plan?: FanOutPlan;
}

export interface CreditCheckResult {
  runId: string;
  reportKey: string;
  customers: number;
  rejected: number;
  byRating: Record<string, number>;
  totalDueCents: number;
  stageSeconds: Record<string, number>;
}

export const progressQuery = defineQuery<Progress>('progress');
export const pauseSignal = defineSignal<[PauseOptions?]>('pause');
export const resumeSignal = defineSignal('resume');
export const setMaxInFlightSignal = defineSignal<[number | MaxInFlight]>('setMaxInFlight');
/** Requests to the source at once over all children of the run. */
export const setSourceLimitSignal = defineSignal<[number]>('setSourceLimit');
/**
 * Sent by the array-job activities as they poll, before this one existed: the budget's state
 * for `progress`. Still handled, so the histories of those runs replay.
 */
export const sourceStateSignal = defineSignal<[SourceState]>('sourceState');

/** What a running chunk's children have written so far, and the source budget's state. */
export interface ChunkProgressUpdate {
  chunk: number;
  /** Results written, ERROR included (a hint: may briefly run past the chunk's size after a retried write). */
  written: number;
  errors: number;
  /** Absent until a child has used the budget. */
  source?: SourceState;
}

/**
 * Sent by each running chunk's activity at most every CHUNK_PROGRESS_EVERY_MS, and only when
 * something changed: the history grows with the chunks and the run's length, never with its records.
 */
export const chunkProgressSignal = defineSignal<[ChunkProgressUpdate]>('chunkProgress');
export const CHUNK_PROGRESS_EVERY_MS = 5000;
/**
 * Sent by ingest as each chunk is stored, so the chunk's array job starts while the rest of
 * the sheet is read. Best effort: ingest's result lists every chunk again.
 */
export const chunkReadySignal = defineSignal<[ChunkRef]>('chunkReady');
