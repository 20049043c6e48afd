import { batchCalls } from './batch-calls.js';
import { buildReportActivity } from './build-report.js';
import { cleanupActivities } from './cleanup.js';
import { asStageTask, creditCheckLedger } from './credit-check-ledger.js';
import type { ActivityDeps } from './deps.js';
import { emailActivities } from './email.js';
import { ingestActivity } from './ingest.js';
import { jobProcessActivities } from './job-process.js';
import { planFanOutActivity } from './plan-fan-out.js';
import { runArrayJobActivity } from './run-array-job.js';
import { runStepActivity } from './run-step.js';
import { sourceBudgetActivities } from './source-budget.js';
import { stepDefinitionActivity } from './step-definition.js';
import { sweepActivity } from './sweep.js';
import { validateUploadActivity } from './validate-upload.js';

/** Every activity of the credit check and the catalog's processes, bound to injected clients and configuration. */
export function createActivities(given: ActivityDeps) {
  // One DescribeJobs queue and one SubmitJob pace for the whole worker: Batch's limits are the account's.
  const deps: ActivityDeps = { ...given, batchCalls: batchCalls(given) };
  // The credit check's stages are also the tasks of its process in the ledger.
  const record = creditCheckLedger(deps);
  const email = emailActivities(deps);
  const validate = asStageTask(record, 'validate', validateUploadActivity(deps));
  return {
    ...cleanupActivities(deps),
    ...sourceBudgetActivities(deps),
    async emailReport(...input: Parameters<typeof email.emailReport>) {
      const sent = await asStageTask(record, 'email', email.emailReport)(...input);
      await record.end('SUCCEEDED');
      return sent;
    },
    async emailNotice(...input: Parameters<typeof email.emailNotice>) {
      const sent = await email.emailNotice(...input);
      await record.end(input[0].outcome === 'CANCELLED' ? 'CANCELLED' : 'FAILED', input[0].reason);
      return sent;
    },
    async validateUpload(...input: Parameters<typeof validate>) {
      await record.begin(input[0]);
      return validate(...input);
    },
    planFanOut: planFanOutActivity(deps),
    ingest: asStageTask(record, 'ingest', ingestActivity(deps)),
    runArrayJob: runArrayJobActivity(deps, record),
    buildReport: asStageTask(record, 'report', buildReportActivity(deps)),
    sweepOrphans: sweepActivity(deps),
    ...jobProcessActivities(deps),
    ensureStepDefinition: stepDefinitionActivity(deps),
    runStep: runStepActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps.js';
