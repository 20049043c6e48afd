import { archivedKey, runResources, type RunResources } from '../run-data/names.js';
import { deleteRunTable } from '../run-data/run-table.js';
import type { ActivityDeps } from './deps.js';
import { deletePrefix, moveObject } from '../storage/s3-files.js';
import type { RunPlan } from './types.js';

export function cleanupActivities({ aws, config }: ActivityDeps) {
  return {
    /** Names the run's resources and reads the worker's fan-out default, so the workflow holds no configuration of its own. */
    async planRun({ runId, bucket }: { runId: string; bucket: string }): Promise<RunPlan> {
      return {
        resources: runResources(runId, bucket, config.aws.tablePrefix),
        maxArrayJobs: config.batch.maxArrayJobs,
        heartbeatSeconds: config.batch.heartbeatSeconds,
        overlapStages: config.batch.overlapStages,
      };
    },

    /** Idempotent: deleting what is already gone succeeds. */
    async deleteRunResources(resources: RunResources): Promise<{ table: boolean; objects: number }> {
      const table = await deleteRunTable(aws.dynamodb, resources.table);
      const objects = await deletePrefix(aws.s3, resources.bucket, resources.tmpPrefix);
      return { table, objects };
    },

    async archiveInput({ bucket, key, outcome }: { bucket: string; key: string; outcome: 'processed' | 'failed' }): Promise<{ key: string; moved: boolean }> {
      const to = archivedKey(key, outcome);
      return { key: to, moved: await moveObject(aws.s3, bucket, key, to) };
    },
  };
}
