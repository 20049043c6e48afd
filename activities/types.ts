import type { ChunkRef } from '../contracts/credit-check.js';
import type { RunResources } from '../run-data/names.js';

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
