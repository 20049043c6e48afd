import type { BudgetControl } from '../budget/control.js';

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

export interface RunResources {
  runId: string;
  bucket: string;
  table: string;
  /** Prefix of every temporary object of the run. */
  tmpPrefix: string;
}

export interface IngestResult {
  total: number;
  rejected: number;
  sheetName: string;
  /** Every header text of the input sheet, in order. */
  columns: string[];
  extraColumns: string[];
  chunks: ChunkRef[];
  rejectedKey: string;
}

export interface ArrayJobResult {
  jobId: string;
  status: 'SUCCEEDED' | 'FAILED';
  /** Records with a result written (ERROR included). */
  done: number;
  /** Records whose result is ERROR or missing. */
  failed: number;
}

/** What the workflow takes from the worker's configuration, so the workflow holds none of its own. */
export interface RunPlan {
  resources: RunResources;
  maxArrayJobs: number;
  heartbeatSeconds: number;
  /** DROVER_OVERLAP_STAGES. Absent in the histories of runs planned before it existed: those overlapped. */
  overlapStages?: boolean;
}

/** A change to a run's source budget, made by the workflow through `controlSource`. */
export type SourceControl = BudgetControl;
