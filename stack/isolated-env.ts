/**
 * Settings for a stack of its own beside any other: its own state directory and free ports.
 * Variables that point at another stack are dropped, so it cannot be what a test or the
 * bench ends up talking to.
 */
const OTHER_STACK = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'BATCH_ENDPOINT_URL',
  'DROVER_QUEUE_URL',
  'DROVER_BUCKET',
  'BATCH_JOB_QUEUE',
  'TAX_SOURCE_URL',
  'DATABASE_URL',
];

export function isolatedStackEnv(home: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of OTHER_STACK) delete env[name];
  return {
    ...env,
    DROVER_HOME: home,
    DROVER_TEMPORAL_PORT: '0',
    DROVER_TEMPORAL_UI_PORT: '0',
    DROVER_MOTO_PORT: '0',
    DROVER_DYNAMODB_PORT: '0',
    DROVER_BATCH_PORT: '0',
    DROVER_PORTAL_PORT: '0',
    DROVER_POSTGRES_PORT: '0',
    DROVER_API_PORT: '0',
  };
}
