import { buildReportActivity } from './build-report.js';
import { cleanupActivities } from './cleanup.js';
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
export function createActivities(deps: ActivityDeps) {
  return {
    ...cleanupActivities(deps),
    ...emailActivities(deps),
    ...sourceBudgetActivities(deps),
    validateUpload: validateUploadActivity(deps),
    planFanOut: planFanOutActivity(deps),
    ingest: ingestActivity(deps),
    runArrayJob: runArrayJobActivity(deps),
    buildReport: buildReportActivity(deps),
    sweepOrphans: sweepActivity(deps),
    ...jobProcessActivities(deps),
    ensureStepDefinition: stepDefinitionActivity(deps),
    runStep: runStepActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps.js';
