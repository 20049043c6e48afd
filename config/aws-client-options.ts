/**
 * The options each AWS client is made with, apart from the clients themselves: a process
 * that needs two of them (the Batch child) then loads two SDK packages, not five.
 */
import type { Config } from './load-config.js';

// Node 20 is this project's runtime on purpose (see the README); the SDK's notice that later
// releases will want Node 22 would otherwise print in every process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What every client is made from: the region and the endpoints (the `aws` part); the Batch client also needs `batch`. */
type ClientConfig = Pick<Config, 'aws'>;

/**
 * The emulators accept any key, but the SDK refuses to sign without one; on real AWS the
 * default provider chain (role, profile) is used instead.
 */
function emulatorCredentials(endpoint: string | undefined) {
  if (!endpoint || process.env.AWS_ACCESS_KEY_ID) return undefined;
  return { accessKeyId: 'drover-local', secretAccessKey: 'drover-local' };
}

function withEndpoint(config: ClientConfig, endpoint: string | undefined) {
  return { region: config.aws.region, endpoint, credentials: emulatorCredentials(endpoint), maxAttempts: 8 };
}

/** S3, SQS and SES: the emulator's endpoint, or AWS's. */
export function commonClientOptions(config: ClientConfig) {
  return withEndpoint(config, config.aws.endpoint);
}

export function s3ClientOptions(config: ClientConfig) {
  return { ...commonClientOptions(config), forcePathStyle: Boolean(config.aws.endpoint) };
}

export function dynamodbClientOptions(config: ClientConfig) {
  return withEndpoint(config, config.aws.dynamodbEndpoint);
}

export function batchClientOptions(config: Pick<Config, 'aws' | 'batch'>) {
  return withEndpoint(config, config.batch.endpoint);
}
