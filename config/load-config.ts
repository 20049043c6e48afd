import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { databaseUrlFromSecret } from './database-secret.js';
import { declaredValue, SETTINGS, type ConfigPart, type Setting, type SettingName } from './settings.js';
import { readStackFile, type StackFile } from './stack-file.js';

export interface Config {
  temporal: {
    address: string;
    namespace: string;
    apiKey?: string;
    tls?: { certPath: string; keyPath: string };
    /** The mTLS pair as text (from a secret) rather than as files. */
    tlsPem?: { cert: string; key: string };
    uiUrl: string;
    taskQueue: string;
    workflowBundle?: string;
    /** MB of V8 heap the worker process may use (DROVER_WORKER_HEAP_MB). */
    workerHeapMb: number;
    workerMaxActivities: number;
    workerCachedWorkflows: number;
  };
  aws: {
    region: string;
    endpoint?: string;
    /** DynamoDB's endpoint: `AWS_ENDPOINT_URL_DYNAMODB`, else `endpoint`. */
    dynamodbEndpoint?: string;
    bucket: string;
    queueUrl?: string;
    tablePrefix: string;
    mailFrom: string;
    mailTo: string;
    mailAttachMaxBytes: number;
    mailLinkHours: number;
  };
  batch: {
    endpoint?: string;
    jobQueue: string;
    jobDefinition: string;
    childCommand: string[];
    /** The command a catalog step's local job definition runs (BATCH_STEP_COMMAND). */
    stepCommand: string[];
    /** BATCH_STEP_IMAGE: the image of step job definitions on AWS; undefined locally. */
    stepImage?: string;
    logGroup: string;
    /** The job role and execution role of catalog step job definitions on AWS; unset locally. */
    stepJobRoleArn?: string;
    stepExecutionRoleArn?: string;
    chunkSize: number;
    /** DROVER_RECORDS_PER_CHILD; undefined: the fan-out plan chooses (budget/fan-out-plan.ts). */
    recordsPerChild?: number;
    maxArrayJobs: number;
    /** Whether array jobs start as chunks are stored and the report is written while they run. */
    overlapStages: boolean;
    childAttempts: number;
    childTimeoutSeconds: number;
    pollSeconds: number;
    /** DescribeJobs calls a second, and SubmitJob calls in any second, per worker (activities/batch-calls.ts). */
    describePerSecond: number;
    submitPerSecond: number;
    heartbeatSeconds: number;
    sweepMinutes: number;
  };
  source: {
    url?: string;
    timeoutMs: number;
    retries: number;
    /** TAX_SOURCE_CHILD_CONCURRENCY; undefined: the fan-out plan chooses (budget/fan-out-plan.ts). */
    childConcurrency?: number;
    maxConcurrency: number;
    maxRps?: number;
  };
  sheet: { maxBytes: number; maxRows: number; maxCellChars: number };
  /** The catalog and ledger's PostgreSQL: `url` undefined when neither DATABASE_URL, DATABASE_SECRET_JSON nor the stack file gives one. */
  database: {
    url?: string;
    /** DROVER_LEDGER_RETENTION_DAYS; undefined: processes are kept forever (ledger/retention.ts). */
    retentionDays?: number;
  };
  /** The fetch-and-run entrypoint's own settings. */
  runner: { venvCache: string };
  /** The REST API's own settings. */
  api: { port: number; ratePerMinute: number; trustedProxies: number };
  /** USD a vCPU-hour and a GiB-hour, for what processes are estimated to cost (catalog/usage-price.ts). */
  prices: { vcpuHour: number; gibHour: number };
  stack: {
    home: string;
    temporalPort: number;
    temporalUiPort: number;
    motoPort: number;
    dynamodbPort: number;
    batchPort: number;
    batchVcpus: number;
    postgresPort: number;
    portalPort: number;
    portalLatencyMs: number;
    portalFaultRate: number;
    portalFaultKinds: string;
    /** Seconds of every 30 the demo portal is closed for maintenance; 0: never. */
    portalMaintenanceSeconds: number;
    portalSeed: number;
  };
}

type Raw = Partial<Record<SettingName, string | number | boolean>>;

const KNOWN = new Map<string, Setting>(SETTINGS.map((s) => [s.env, s]));

function parseValue(setting: Setting, text: string): string | number | boolean {
  const fail = (why: string): never => {
    throw new ConfigError(`${setting.env}=${JSON.stringify(text)}: ${why}`);
  };
  switch (setting.type) {
    case 'string':
      return text;
    case 'url':
      try {
        new URL(text);
      } catch (cause) {
        throw new ConfigError(`${setting.env}=${JSON.stringify(text)}: not a URL`, { cause });
      }
      return text.replace(/\/+$/, '');
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return fail('expected true or false');
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return fail('expected a number');
      if (setting.type === 'int' && !Number.isInteger(n)) return fail('expected a whole number');
      if (setting.min !== undefined && n < setting.min) return fail(`must be at least ${setting.min}`);
      if (setting.max !== undefined && n > setting.max) return fail(`must be at most ${setting.max}`);
      return n;
    }
  }
}

/**
 * Reads the settings of `parts` once, at the process boundary (every part when not given).
 * Unknown `DROVER_*` variables are refused, since a typo there would otherwise be silently
 * ignored; a known setting of a part the process does not read is left alone.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env, parts: ReadonlySet<ConfigPart> = ALL_PARTS): Raw {
  const raw: Raw = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const setting = KNOWN.get(key);
    if (!setting) {
      if (key.startsWith('DROVER_')) {
        throw new ConfigError(`${key} is not a drover setting; the README lists them all`);
      }
      continue;
    }
    if (parts.has(setting.part)) raw[setting.env as SettingName] = parseValue(setting, value);
  }
  for (const setting of SETTINGS as readonly Setting[]) {
    if (parts.has(setting.part) && raw[setting.env as SettingName] === undefined && setting.default !== undefined) {
      raw[setting.env as SettingName] = parseValue(setting, setting.default);
    }
  }
  return raw;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Whether to fall back to `.drover/stack.json` for endpoints (default true). The stack itself passes false. */
  useStackFile?: boolean;
  /** Directory the relative DROVER_HOME is resolved against (default the current directory). */
  cwd?: string;
}

const ALL_PARTS: ReadonlySet<ConfigPart> = new Set(['temporal', 'aws', 'batch', 'source', 'sheet', 'stack', 'database', 'runner', 'api', 'prices']);

/** The settings as read, with typed access: a setting with a default is always there. */
class Settings {
  constructor(private readonly raw: Raw) {}

  /** A setting that may be unset. */
  optional<T extends string | number | boolean>(name: SettingName): T | undefined {
    return this.raw[name] as T | undefined;
  }

  /** A setting with a default (settings.ts): set, or its default. */
  value<T extends string | number | boolean>(name: SettingName): T {
    return (this.raw[name] ?? declaredValue(name, 'default')) as T;
  }

  /** A setting with a fallback: the environment's value, else the stack file's, else its fallback (settings.ts). */
  orStackFile(name: SettingName, fromStackFile: string | undefined): string {
    return this.optional<string>(name) ?? fromStackFile ?? declaredValue(name, 'fallback');
  }
}


function temporalPart(s: Settings, stack: StackFile | undefined): Config['temporal'] {
  const certPath = s.optional<string>('TEMPORAL_TLS_CERT');
  const keyPath = s.optional<string>('TEMPORAL_TLS_KEY');
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both or neither');
  }
  const certPem = s.optional<string>('TEMPORAL_TLS_CERT_PEM');
  const keyPem = s.optional<string>('TEMPORAL_TLS_KEY_PEM');
  if (Boolean(certPem) !== Boolean(keyPem)) {
    throw new ConfigError('TEMPORAL_TLS_CERT_PEM and TEMPORAL_TLS_KEY_PEM go together: set both or neither');
  }
  if (certPem && certPath) throw new ConfigError('set the mTLS pair either as files (TEMPORAL_TLS_CERT) or as text (TEMPORAL_TLS_CERT_PEM), not both');
  return {
    address: s.orStackFile('TEMPORAL_ADDRESS', stack?.temporal.address),
    namespace: s.orStackFile('TEMPORAL_NAMESPACE', stack?.temporal.namespace),
    apiKey: s.optional('TEMPORAL_API_KEY'),
    tls: certPath && keyPath ? { certPath, keyPath } : undefined,
    tlsPem: certPem && keyPem ? { cert: certPem, key: keyPem } : undefined,
    uiUrl: s.orStackFile('TEMPORAL_UI_URL', stack?.temporal.ui),
    taskQueue: s.value('TEMPORAL_TASK_QUEUE'),
    workflowBundle: s.optional('DROVER_WORKFLOW_BUNDLE'),
    workerHeapMb: s.value('DROVER_WORKER_HEAP_MB'),
    workerMaxActivities: s.value('DROVER_WORKER_MAX_ACTIVITIES'),
    workerCachedWorkflows: s.value('DROVER_WORKER_CACHED_WORKFLOWS'),
  };
}

function awsPart(s: Settings, stack: StackFile | undefined): Config['aws'] {
  const endpoint = s.optional<string>('AWS_ENDPOINT_URL');
  return {
    region: s.orStackFile('AWS_REGION', stack?.aws.region),
    endpoint: endpoint ?? stack?.aws.endpoint,
    // An environment variable beats the stack file, as for every other endpoint.
    dynamodbEndpoint: s.optional<string>('AWS_ENDPOINT_URL_DYNAMODB') ?? endpoint ?? stack?.aws.dynamodbEndpoint ?? stack?.aws.endpoint,
    bucket: s.orStackFile('DROVER_BUCKET', stack?.aws.bucket),
    queueUrl: s.optional<string>('DROVER_QUEUE_URL') ?? stack?.aws.queueUrl,
    tablePrefix: s.value('DROVER_TABLE_PREFIX'),
    mailFrom: s.value('DROVER_MAIL_FROM'),
    mailTo: s.value('DROVER_MAIL_TO'),
    mailAttachMaxBytes: s.value('DROVER_MAIL_ATTACH_MAX_BYTES'),
    mailLinkHours: s.value('DROVER_MAIL_LINK_HOURS'),
  };
}

function batchPart(s: Settings, stack: StackFile | undefined): Config['batch'] {
  const childCommand = commandSetting(s, 'BATCH_CHILD_COMMAND');
  return {
    endpoint: s.optional<string>('BATCH_ENDPOINT_URL') ?? stack?.batch.endpoint,
    jobQueue: s.orStackFile('BATCH_JOB_QUEUE', stack?.batch.jobQueue),
    jobDefinition: s.value('BATCH_JOB_DEFINITION'),
    childCommand,
    stepCommand: commandSetting(s, 'BATCH_STEP_COMMAND'),
    stepImage: s.optional('BATCH_STEP_IMAGE'),
    logGroup: s.value('BATCH_LOG_GROUP'),
    stepJobRoleArn: s.optional('BATCH_STEP_JOB_ROLE_ARN'),
    stepExecutionRoleArn: s.optional('BATCH_STEP_EXECUTION_ROLE_ARN'),
    chunkSize: s.value('DROVER_CHUNK_SIZE'),
    recordsPerChild: s.optional('DROVER_RECORDS_PER_CHILD'),
    maxArrayJobs: s.value('DROVER_MAX_ARRAY_JOBS'),
    overlapStages: s.value('DROVER_OVERLAP_STAGES'),
    childAttempts: s.value('DROVER_CHILD_ATTEMPTS'),
    childTimeoutSeconds: s.value('DROVER_CHILD_TIMEOUT_SECONDS'),
    pollSeconds: s.value('DROVER_BATCH_POLL_SECONDS'),
    describePerSecond: s.value('DROVER_BATCH_DESCRIBE_PER_SECOND'),
    submitPerSecond: s.value('DROVER_BATCH_SUBMIT_PER_SECOND'),
    heartbeatSeconds: s.value('DROVER_HEARTBEAT_SECONDS'),
    sweepMinutes: s.value('DROVER_SWEEP_MINUTES'),
  };
}

/** A space-separated command setting, never empty. */
function commandSetting(s: Settings, name: 'BATCH_CHILD_COMMAND' | 'BATCH_STEP_COMMAND'): string[] {
  const command = s.value<string>(name).split(/\s+/).filter(Boolean);
  if (command.length === 0) throw new ConfigError(`${name} is empty`);
  return command;
}

function sourcePart(s: Settings, stack: StackFile | undefined): Config['source'] {
  return {
    url: s.optional<string>('TAX_SOURCE_URL') ?? stack?.portal.url,
    timeoutMs: s.value('TAX_SOURCE_TIMEOUT_MS'),
    retries: s.value('TAX_SOURCE_RETRIES'),
    childConcurrency: s.optional('TAX_SOURCE_CHILD_CONCURRENCY'),
    maxConcurrency: s.value('TAX_SOURCE_MAX_CONCURRENCY'),
    maxRps: s.optional('TAX_SOURCE_MAX_RPS'),
  };
}

function sheetPart(s: Settings): Config['sheet'] {
  return { maxBytes: s.value('SHEET_MAX_BYTES'), maxRows: s.value('SHEET_MAX_ROWS'), maxCellChars: s.value('SHEET_MAX_CELL_CHARS') };
}

function databasePart(s: Settings, stack: StackFile | undefined): Config['database'] {
  const url = s.optional<string>('DATABASE_URL');
  const secretJson = s.optional<string>('DATABASE_SECRET_JSON');
  if (url && secretJson) throw new ConfigError('set the database either as DATABASE_URL or as DATABASE_SECRET_JSON, not both');
  const retentionDays = s.optional<number>('DROVER_LEDGER_RETENTION_DAYS');
  return { url: url ?? (secretJson ? databaseUrlFromSecret(secretJson) : undefined) ?? stack?.database?.url, ...(retentionDays !== undefined ? { retentionDays } : {}) };
}

function runnerPart(s: Settings, cwd: string): Config['runner'] {
  const cache = s.value<string>('DROVER_VENV_CACHE');
  return { venvCache: isAbsolute(cache) ? cache : resolve(cwd, cache) };
}

function apiPart(s: Settings): Config['api'] {
  return { port: s.value('DROVER_API_PORT'), ratePerMinute: s.value('DROVER_API_RATE_PER_MINUTE'), trustedProxies: s.value('DROVER_API_TRUSTED_PROXIES') };
}

function pricesPart(s: Settings): Config['prices'] {
  return { vcpuHour: s.value('DROVER_PRICE_VCPU_HOUR'), gibHour: s.value('DROVER_PRICE_GIB_HOUR') };
}

function stackPart(s: Settings, home: string): Config['stack'] {
  return {
    home,
    temporalPort: s.value('DROVER_TEMPORAL_PORT'),
    temporalUiPort: s.value('DROVER_TEMPORAL_UI_PORT'),
    motoPort: s.value('DROVER_MOTO_PORT'),
    dynamodbPort: s.value('DROVER_DYNAMODB_PORT'),
    batchPort: s.value('DROVER_BATCH_PORT'),
    batchVcpus: s.value('DROVER_BATCH_VCPUS'),
    postgresPort: s.value('DROVER_POSTGRES_PORT'),
    portalPort: s.value('DROVER_PORTAL_PORT'),
    portalLatencyMs: s.value('DROVER_PORTAL_LATENCY_MS'),
    portalFaultRate: s.value('DROVER_PORTAL_FAULT_RATE'),
    portalFaultKinds: s.value('DROVER_PORTAL_FAULT_KINDS'),
    portalMaintenanceSeconds: s.value('DROVER_PORTAL_MAINTENANCE_SECONDS'),
    portalSeed: s.value('DROVER_PORTAL_SEED'),
  };
}

/**
 * Only the parts of the configuration a process reads: the Batch child loads `aws` and
 * `source`, the trigger `temporal` and `aws`. Settings of the other parts are neither
 * read nor checked there, so a setting meant for the stack cannot stop a child.
 */
export function loadConfigParts<P extends ConfigPart>(parts: readonly P[], options: LoadConfigOptions = {}): Pick<Config, P> {
  const env = options.env ?? process.env;
  const settings = new Settings(readSettings(env, new Set<ConfigPart>(parts)));
  // DROVER_HOME locates the stack file, which any part may fall back to: read on its own, whatever the parts.
  const homeSetting = env.DROVER_HOME || declaredValue('DROVER_HOME', 'default');
  const home = isAbsolute(homeSetting) ? homeSetting : resolve(options.cwd ?? process.cwd(), homeSetting);
  const stack: StackFile | undefined = options.useStackFile === false ? undefined : readStackFile(home);
  const build: { [K in ConfigPart]: () => Config[K] } = {
    temporal: () => temporalPart(settings, stack),
    aws: () => awsPart(settings, stack),
    batch: () => batchPart(settings, stack),
    source: () => sourcePart(settings, stack),
    sheet: () => sheetPart(settings),
    stack: () => stackPart(settings, home),
    database: () => databasePart(settings, stack),
    runner: () => runnerPart(settings, options.cwd ?? process.cwd()),
    api: () => apiPart(settings),
    prices: () => pricesPart(settings),
  };
  return Object.fromEntries(parts.map((part) => [part, build[part]()])) as Pick<Config, P>;
}

/** Every part: the worker, the CLI and the stack read them all. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  return loadConfigParts(['temporal', 'aws', 'batch', 'source', 'sheet', 'stack', 'database', 'runner', 'api', 'prices'], options);
}
