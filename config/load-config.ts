import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { SETTINGS, type Setting, type SettingName } from './settings.js';
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
    chunkSize: number;
    /** DROVER_RECORDS_PER_CHILD; undefined: the fan-out plan chooses (budget/fan-out-plan.ts). */
    recordsPerChild?: number;
    maxArrayJobs: number;
    /** Whether array jobs start as chunks are stored and the report is written while they run. */
    overlapStages: boolean;
    childAttempts: number;
    childTimeoutSeconds: number;
    pollSeconds: number;
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
  stack: {
    home: string;
    temporalPort: number;
    temporalUiPort: number;
    motoPort: number;
    dynamodbPort: number;
    batchPort: number;
    batchVcpus: number;
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
 * Reads every setting once, at the process boundary. Unknown `DROVER_*` variables are
 * refused, since a typo there would otherwise be silently ignored.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Raw {
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
    raw[setting.env as SettingName] = parseValue(setting, value);
  }
  for (const setting of SETTINGS) {
    const def = (setting as Setting).default;
    if (raw[setting.env] === undefined && def !== undefined) raw[setting.env] = parseValue(setting, def);
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

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const raw = readSettings(options.env ?? process.env);
  const str = (k: SettingName) => raw[k] as string | undefined;
  const num = (k: SettingName) => raw[k] as number;
  const homeSetting = str('DROVER_HOME') ?? '.drover';
  const home = isAbsolute(homeSetting) ? homeSetting : resolve(options.cwd ?? process.cwd(), homeSetting);
  const stack: StackFile | undefined = options.useStackFile === false ? undefined : readStackFile(home);

  const certPath = str('TEMPORAL_TLS_CERT');
  const keyPath = str('TEMPORAL_TLS_KEY');
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both or neither');
  }
  const certPem = str('TEMPORAL_TLS_CERT_PEM');
  const keyPem = str('TEMPORAL_TLS_KEY_PEM');
  if (Boolean(certPem) !== Boolean(keyPem)) {
    throw new ConfigError('TEMPORAL_TLS_CERT_PEM and TEMPORAL_TLS_KEY_PEM go together: set both or neither');
  }
  if (certPem && certPath) throw new ConfigError('set the mTLS pair either as files (TEMPORAL_TLS_CERT) or as text (TEMPORAL_TLS_CERT_PEM), not both');
  const childCommand = (str('BATCH_CHILD_COMMAND') ?? '').split(/\s+/).filter(Boolean);
  if (childCommand.length === 0) throw new ConfigError('BATCH_CHILD_COMMAND is empty');

  return {
    temporal: {
      address: str('TEMPORAL_ADDRESS') ?? stack?.temporal.address ?? '127.0.0.1:7233',
      namespace: str('TEMPORAL_NAMESPACE') ?? stack?.temporal.namespace ?? 'default',
      apiKey: str('TEMPORAL_API_KEY'),
      tls: certPath && keyPath ? { certPath, keyPath } : undefined,
      tlsPem: certPem && keyPem ? { cert: certPem, key: keyPem } : undefined,
      uiUrl: str('TEMPORAL_UI_URL') ?? stack?.temporal.ui ?? 'http://127.0.0.1:8233',
      taskQueue: str('TEMPORAL_TASK_QUEUE')!,
      workflowBundle: str('DROVER_WORKFLOW_BUNDLE'),
      workerHeapMb: num('DROVER_WORKER_HEAP_MB'),
    },
    aws: {
      region: str('AWS_REGION') ?? stack?.aws.region ?? 'us-east-1',
      endpoint: str('AWS_ENDPOINT_URL') ?? stack?.aws.endpoint,
      // An environment variable beats the stack file, as for every other endpoint.
      dynamodbEndpoint: str('AWS_ENDPOINT_URL_DYNAMODB') ?? str('AWS_ENDPOINT_URL') ?? stack?.aws.dynamodbEndpoint ?? stack?.aws.endpoint,
      bucket: str('DROVER_BUCKET') ?? stack?.aws.bucket ?? 'drover-input',
      queueUrl: str('DROVER_QUEUE_URL') ?? stack?.aws.queueUrl,
      tablePrefix: str('DROVER_TABLE_PREFIX')!,
      mailFrom: str('DROVER_MAIL_FROM')!,
      mailTo: str('DROVER_MAIL_TO')!,
      mailAttachMaxBytes: num('DROVER_MAIL_ATTACH_MAX_BYTES'),
      mailLinkHours: num('DROVER_MAIL_LINK_HOURS'),
    },
    batch: {
      endpoint: str('BATCH_ENDPOINT_URL') ?? stack?.batch.endpoint,
      jobQueue: str('BATCH_JOB_QUEUE') ?? stack?.batch.jobQueue ?? 'drover-scrape',
      jobDefinition: str('BATCH_JOB_DEFINITION')!,
      childCommand,
      chunkSize: num('DROVER_CHUNK_SIZE'),
      recordsPerChild: raw.DROVER_RECORDS_PER_CHILD as number | undefined,
      maxArrayJobs: num('DROVER_MAX_ARRAY_JOBS'),
      overlapStages: raw.DROVER_OVERLAP_STAGES as boolean,
      childAttempts: num('DROVER_CHILD_ATTEMPTS'),
      childTimeoutSeconds: num('DROVER_CHILD_TIMEOUT_SECONDS'),
      pollSeconds: num('DROVER_BATCH_POLL_SECONDS'),
      heartbeatSeconds: num('DROVER_HEARTBEAT_SECONDS'),
      sweepMinutes: num('DROVER_SWEEP_MINUTES'),
    },
    source: {
      url: str('TAX_SOURCE_URL') ?? stack?.portal.url,
      timeoutMs: num('TAX_SOURCE_TIMEOUT_MS'),
      retries: num('TAX_SOURCE_RETRIES'),
      childConcurrency: raw.TAX_SOURCE_CHILD_CONCURRENCY as number | undefined,
      maxConcurrency: num('TAX_SOURCE_MAX_CONCURRENCY'),
      maxRps: raw.TAX_SOURCE_MAX_RPS as number | undefined,
    },
    sheet: {
      maxBytes: num('SHEET_MAX_BYTES'),
      maxRows: num('SHEET_MAX_ROWS'),
      maxCellChars: num('SHEET_MAX_CELL_CHARS'),
    },
    stack: {
      home,
      temporalPort: num('DROVER_TEMPORAL_PORT'),
      temporalUiPort: num('DROVER_TEMPORAL_UI_PORT'),
      motoPort: num('DROVER_MOTO_PORT'),
      dynamodbPort: num('DROVER_DYNAMODB_PORT'),
      batchPort: num('DROVER_BATCH_PORT'),
      batchVcpus: num('DROVER_BATCH_VCPUS'),
      portalPort: num('DROVER_PORTAL_PORT'),
      portalLatencyMs: num('DROVER_PORTAL_LATENCY_MS'),
      portalFaultRate: num('DROVER_PORTAL_FAULT_RATE'),
      portalFaultKinds: str('DROVER_PORTAL_FAULT_KINDS')!,
      portalMaintenanceSeconds: num('DROVER_PORTAL_MAINTENANCE_SECONDS'),
      portalSeed: num('DROVER_PORTAL_SEED'),
    },
  };
}
