/**
 * drover's own jobs, in the catalog beside the users' so their runs are processes like any
 * other. They run as workflows of their own, not as steps of runJob, so their documents
 * describe them rather than drive them, and `drover job put` may not replace them.
 */
export const CREDIT_CHECK_JOB_ID = 'credit-check';

export const CREDIT_CHECK_JOB = {
  id: CREDIT_CHECK_JOB_ID,
  name: 'Credit check',
  description:
    'Reads an uploaded customer workbook, scrapes each customer\'s property tax from the county portal on AWS Batch, rates each customer and emails an Excel report. Fired by an upload to incoming/ or by `drover process start credit-check --param key=incoming/x.xlsx`.',
  builtIn: true,
  parameters: {
    type: 'object',
    properties: {
      key: { type: 'string', pattern: '^[^/].*\\.xlsx$', description: 'The workbook\'s key in the input bucket: incoming/x.xlsx, or failed/x.xlsx to check a failed one again.' },
      notify: { type: 'string', format: 'email', description: 'Who gets the report (default DROVER_MAIL_TO).' },
    },
    required: ['key'],
    additionalProperties: false,
  },
  // One task a stage; the scrape has one task a chunk (scrape-1, scrape-2, ...), each an array job.
  tasks: ['validate', 'ingest', 'scrape-<chunk>', 'report', 'email'],
} as const;

export const BUILT_IN_JOBS: ReadonlyArray<{ id: string; document: Record<string, unknown> }> = [{ id: CREDIT_CHECK_JOB_ID, document: CREDIT_CHECK_JOB }];
