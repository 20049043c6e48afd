/** Where a run keeps what it makes: all of it is named after the run's workflow id. */
export interface RunResources {
  runId: string;
  bucket: string;
  table: string;
  /** Prefix of every temporary object of the run. */
  tmpPrefix: string;
}

/** The tag that carries the run id (its workflow id) on the run's table and Batch jobs, as it is. */
export const RUN_ID_TAG = 'drover:run-id';

/** Every resource of a run carries its run id, in its name or its RUN_ID_TAG, so the sweeper can find what a dead run left. */
export function runResources(runId: string, bucket: string, tablePrefix: string): RunResources {
  return { runId, bucket, table: `${tablePrefix}${runId}`, tmpPrefix: `tmp/${runId}/` };
}

export function chunkKeys(resources: RunResources, index: number): { key: string; indexKey: string } {
  const base = `${resources.tmpPrefix}chunks/${String(index).padStart(4, '0')}`;
  return { key: `${base}.jsonl`, indexKey: `${base}.index.json` };
}

export function rejectedKey(resources: RunResources): string {
  return `${resources.tmpPrefix}rejected.jsonl`;
}

/** `incoming/a/b.xlsx` → `<to>/a/b.xlsx`: the input keeps its path under the new prefix. */
export function archivedKey(key: string, to: 'processed' | 'failed'): string {
  return `${to}/${key.replace(/^incoming\//, '')}`;
}
