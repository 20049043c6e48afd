/**
 * Every environment variable drover reads, in one table. The README's configuration
 * table is generated from this list (`npm run docs:config`), so a setting that is not
 * here does not exist.
 */
import { DEFAULT_SHEET_LIMITS } from '../sheet/sheet-limits.js';
import { ConfigError } from './config-error.js';

export type SettingType = 'string' | 'int' | 'number' | 'boolean' | 'url';

/** The part of the configuration a setting belongs to: a process loads only the parts it reads (load-config.ts). */
export type ConfigPart = 'temporal' | 'aws' | 'batch' | 'source' | 'sheet' | 'stack' | 'database' | 'runner' | 'api' | 'prices';

export interface Setting {
  env: string;
  type: SettingType;
  part: ConfigPart;
  /** The value when the environment does not set it. Undefined: not set, or `fallback`. */
  default?: string;
  /**
   * The value when neither the environment nor `.drover/stack.json` sets it: a setting with a
   * fallback takes the embedded stack's value first. Never together with `default`.
   */
  fallback?: string;
  doc: string;
  /** Lower and upper bounds for numbers. */
  min?: number;
  max?: number;
}

export const SETTINGS = [
  // Temporal
  { env: 'TEMPORAL_ADDRESS', type: 'string', part: 'temporal', fallback: '127.0.0.1:7233', doc: 'Temporal frontend host:port.' },
  { env: 'TEMPORAL_NAMESPACE', type: 'string', part: 'temporal', fallback: 'default', doc: 'Temporal namespace.' },
  { env: 'TEMPORAL_API_KEY', type: 'string', part: 'temporal', doc: 'Temporal Cloud API key; turns TLS on.' },
  { env: 'TEMPORAL_TLS_CERT', type: 'string', part: 'temporal', doc: 'Path of the mTLS client certificate (PEM); needs `TEMPORAL_TLS_KEY`.' },
  { env: 'TEMPORAL_TLS_KEY', type: 'string', part: 'temporal', doc: 'Path of the mTLS client key (PEM).' },
  { env: 'TEMPORAL_TLS_CERT_PEM', type: 'string', part: 'temporal', doc: 'The mTLS client certificate itself (PEM text), as ECS injects it from Secrets Manager; needs `TEMPORAL_TLS_KEY_PEM`. Takes the place of `TEMPORAL_TLS_CERT`.' },
  { env: 'TEMPORAL_TLS_KEY_PEM', type: 'string', part: 'temporal', doc: 'The mTLS client key itself (PEM text).' },
  { env: 'TEMPORAL_UI_URL', type: 'url', part: 'temporal', fallback: 'http://127.0.0.1:8233', doc: 'Base URL of the Temporal Web UI, for links in emails and the CLI.' },
  { env: 'DROVER_WORKER_HEAP_MB', type: 'int', part: 'temporal', default: '192', min: 64, max: 65536, doc: 'Heap limit of the worker process (V8\'s `--max-old-space-size`), set by the embedded stack, the image and the CDK task. V8 grows its heap with the garbage a run makes, so without a limit the worker\'s memory grows with the run; a 1,000,000-record run keeps far less live.' },
  { env: 'DROVER_WORKER_MAX_ACTIVITIES', type: 'int', part: 'temporal', default: '1000', min: 10, max: 100000, doc: 'Activities one worker runs at once. Each running step (a catalog task, a credit check\'s chunk) holds one while it waits for its Batch job, almost all of that time asleep, so the limit is on Batch jobs watched, not on work: 250 steps at once need 250 and the ledger\'s short activities beside them. Temporal\'s own default, 100, would queue the 101st step however free Batch is.' },
  { env: 'DROVER_WORKER_CACHED_WORKFLOWS', type: 'int', part: 'temporal', default: '500', min: 2, max: 100000, doc: 'Workflows one worker keeps in memory between their tasks. One pushed out is replayed from its history at its next task: cheap for one, but a worker whose busy processes outnumber its cache replays nearly every task, and falls behind. The SDK would size the cache by the heap: ten at the worker\'s 192 MB. 500 holds 250 running processes and those next in line (a queued one waits idle, and replays a dozen events when its slot comes); at 1,000 processes through 250 slots the worker peaked at 397 MB with 500 and 402–411 MB with 1,000.' },
  { env: 'DROVER_WORKFLOW_BUNDLE', type: 'string', part: 'temporal', doc: 'A workflow bundle prebuilt by `scripts/bundle-workflows.mjs`; unset: `dist/workflow-bundle.js`, which the build makes, or if that is missing the worker bundles `dist/workflows` at start.' },
  { env: 'TEMPORAL_TASK_QUEUE', type: 'string', part: 'temporal', default: 'drover', doc: 'Task queue the workflows and activities run on.' },
  // AWS
  { env: 'AWS_REGION', type: 'string', part: 'aws', fallback: 'us-east-1', doc: 'AWS region of every client.' },
  { env: 'AWS_ENDPOINT_URL', type: 'url', part: 'aws', doc: 'Endpoint of S3, SQS and SES (the emulator), and of DynamoDB unless `AWS_ENDPOINT_URL_DYNAMODB` says otherwise. Unset on real AWS. Falls back to `.drover/stack.json`.' },
  { env: 'AWS_ENDPOINT_URL_DYNAMODB', type: 'url', part: 'aws', doc: 'Endpoint of DynamoDB alone (the SDK\'s own name for it): the embedded stack serves DynamoDB from dynalite, the rest from moto. Falls back to `.drover/stack.json`, then `AWS_ENDPOINT_URL`.' },
  { env: 'DROVER_BUCKET', type: 'string', part: 'aws', fallback: 'drover-input', doc: 'Input bucket: uploads under `incoming/`, reports under `reports/`.' },
  { env: 'DROVER_QUEUE_URL', type: 'string', part: 'aws', doc: 'URL of the SQS queue that receives the bucket notifications (the local trigger polls it). Falls back to `.drover/stack.json`.' },
  { env: 'DROVER_TABLE_PREFIX', type: 'string', part: 'aws', default: 'drover-run-', doc: 'Prefix of the per-run DynamoDB tables; IAM on AWS is scoped to it.' },
  { env: 'DROVER_MAIL_FROM', type: 'string', part: 'aws', default: 'drover@ranch-analytics.example', doc: 'SES sender address (a verified identity).' },
  { env: 'DROVER_MAIL_TO', type: 'string', part: 'aws', default: 'organizer@ranch-analytics.example', doc: 'Recipient when the upload has no `notify` metadata.' },
  { env: 'DROVER_MAIL_ATTACH_MAX_BYTES', type: 'int', part: 'aws', default: '7000000', min: 0, max: 7000000, doc: 'Largest report attached to its email; a larger one is linked instead (a presigned S3 URL). SES takes 10 MB a message, and base64 makes 7 MB about 9.6 MB.' },
  { env: 'DROVER_MAIL_LINK_HOURS', type: 'int', part: 'aws', default: '168', min: 1, max: 168, doc: 'How long the link to a report too large to attach works (SigV4 allows 7 days at most).' },
  // Batch
  { env: 'BATCH_ENDPOINT_URL', type: 'url', part: 'batch', doc: 'AWS Batch endpoint (the local executor). Unset on real AWS. Falls back to `.drover/stack.json`.' },
  { env: 'BATCH_JOB_QUEUE', type: 'string', part: 'batch', fallback: 'drover-scrape', doc: 'Batch job queue of the scraper.' },
  { env: 'BATCH_JOB_DEFINITION', type: 'string', part: 'batch', default: 'drover-scraper', doc: 'Batch job definition of the array child. The worker registers it locally when it is missing.' },
  { env: 'BATCH_CHILD_COMMAND', type: 'string', part: 'batch', default: 'node dist/workers/child.bundle.js', doc: 'Command the local job definition runs (space-separated). On AWS the image\'s entrypoint is used.' },
  { env: 'BATCH_STEP_COMMAND', type: 'string', part: 'batch', default: 'node dist/runner/fetch-and-run.js', doc: 'Command the local job definition of a catalog job\'s step runs (space-separated): the fetch-and-run entrypoint. On AWS the image\'s command is used.' },
  { env: 'BATCH_STEP_JOB_ROLE_ARN', type: 'string', part: 'batch', doc: 'The job role of catalog step job definitions on AWS (the CDK stack sets it): what a step\'s container may do, read its script under `templates/`. Unset locally.' },
  { env: 'BATCH_STEP_EXECUTION_ROLE_ARN', type: 'string', part: 'batch', doc: 'The execution role of catalog step job definitions on AWS (the CDK stack sets it): what Fargate starts a step with, pulling the image and writing its log to `/aws/batch/job`. Unset locally.' },
  { env: 'BATCH_STEP_IMAGE', type: 'string', part: 'batch', doc: 'Container image of the catalog\'s step job definitions on AWS (the drover image, whose fetch-and-run entrypoint runs each step). Unset locally: the executor runs `BATCH_STEP_COMMAND` as a process.' },
  { env: 'BATCH_LOG_GROUP', type: 'string', part: 'batch', default: '/aws/batch/job', doc: 'CloudWatch Logs group of the Batch jobs\' output on AWS, where `drover task log` reads a task\'s stream. Locally the executor\'s log files are read instead.' },
  { env: 'DROVER_CHUNK_SIZE', type: 'int', part: 'batch', default: '10000', min: 1, max: 10000, doc: 'Records per chunk, one Batch array job each (10,000 is the array limit).' },
  { env: 'DROVER_RECORDS_PER_CHILD', type: 'int', part: 'batch', min: 1, max: 10000, doc: 'Records one array child scrapes; 1 gives one child per record. Unset: the fan-out plan chooses, so that the children Batch runs at once split the chunks that run at once evenly and each child starts once (see [the fan-out plan](#the-fan-out-plan)).' },
  { env: 'DROVER_MAX_ARRAY_JOBS', type: 'int', part: 'batch', default: '4', min: 1, max: 1000, doc: 'Array jobs of one run in flight at once.' },
  { env: 'DROVER_OVERLAP_STAGES', type: 'boolean', part: 'batch', default: 'true', doc: 'Start each chunk\'s array job as soon as ingest has stored it, and write the report while the jobs run. `false` runs ingest, the scrape and the report one after another, each with the machine to itself: the run takes as long or longer (about 1 s more at 20,000 records and 50 ms), and each stage\'s time is its own (the bench\'s `--serial`).' },
  { env: 'DROVER_CHILD_ATTEMPTS', type: 'int', part: 'batch', default: '3', min: 1, max: 10, doc: 'Batch `retryStrategy.attempts` of each child.' },
  { env: 'DROVER_CHILD_TIMEOUT_SECONDS', type: 'int', part: 'batch', default: '1800', min: 60, doc: 'Batch `timeout.attemptDurationSeconds` of each child.' },
  { env: 'DROVER_HEARTBEAT_SECONDS', type: 'int', part: 'batch', default: '60', min: 3, max: 3600, doc: 'Heartbeat timeout of the activity that watches an array job: how soon a retry re-attaches after its worker dies.' },
  { env: 'DROVER_SWEEP_MINUTES', type: 'int', part: 'batch', default: '15', min: 1, max: 1440, doc: 'How often the sweeper removes what terminated runs left behind (the stack creates its Temporal schedule).' },
  { env: 'DROVER_BATCH_POLL_SECONDS', type: 'number', part: 'batch', default: '1', min: 0.1, max: 60, doc: 'Starting interval of the DescribeJobs poll; it backs off to a fortieth of the time the job has run, at most 10 s (or a third of the heartbeat timeout).' },
  { env: 'DROVER_BATCH_DESCRIBE_PER_SECOND', type: 'int', part: 'batch', default: '5', min: 1, max: 100, doc: 'Most DescribeJobs calls a worker makes a second, evenly spaced; each carries up to 100 job ids, those every watcher of the worker asked for meanwhile. 5 is 300 calls a minute, carrying 500 ids a second: at 250 running jobs each is polled at its own pace, at 2,500 a young job every 5 s. More jobs than that make each poll slower, never more calls (see [Batch\'s API limits](#batchs-api-limits)).' },
  { env: 'DROVER_BATCH_SUBMIT_PER_SECOND', type: 'int', part: 'batch', default: '40', min: 1, max: 1000, doc: 'Most SubmitJob calls a worker makes in any second, shared by all its activities, so a burst of processes never exceeds it. AWS allows about 50 a second an account; 40 leaves room for another client.' },
  // Source
  { env: 'TAX_SOURCE_URL', type: 'url', part: 'source', doc: 'Base URL of the county tax portal. When set, `npm start` does not start the demo portal.' },
  { env: 'TAX_SOURCE_TIMEOUT_MS', type: 'int', part: 'source', default: '10000', min: 100, doc: 'Per-request timeout of the scraper.' },
  { env: 'TAX_SOURCE_RETRIES', type: 'int', part: 'source', default: '10', min: 0, max: 20, doc: 'Retries of one request after a fault (5xx, reset, timeout, truncated or maintenance page, 429).' },
  { env: 'TAX_SOURCE_CHILD_CONCURRENCY', type: 'int', part: 'source', min: 1, max: 1000, doc: 'Most requests one array child keeps in flight. The children of a run share `TAX_SOURCE_MAX_CONCURRENCY`: a child takes slots the others leave, up to this, and while several wait for slots each keeps an equal share. Unset: the fan-out plan chooses the budget over the children that run at once, so that together they fill it (see [the fan-out plan](#the-fan-out-plan)).' },
  { env: 'TAX_SOURCE_MAX_CONCURRENCY', type: 'int', part: 'source', default: '50', min: 1, doc: 'Requests to the source in flight at once over all array children of a run together (a budget shared through the run table).' },
  { env: 'TAX_SOURCE_MAX_RPS', type: 'number', part: 'source', min: 0.001, doc: 'Requests per second to the source over all array children of a run together; the adaptive rate never climbs past it. Unset: no limit until the source answers 429/503.' },
  // Ledger
  { env: 'DATABASE_URL', type: 'url', part: 'database', doc: 'PostgreSQL connection URL of the catalog and the ledger of processes and tasks (`postgres://user:password@host:port/db`). Falls back to `.drover/stack.json`, where `npm start` writes its embedded server\'s.' },
  { env: 'DATABASE_SECRET_JSON', type: 'string', part: 'database', doc: 'The RDS secret as JSON (`username`, `password`, `host`, `port`, `dbname`), as ECS injects it whole from Secrets Manager on AWS; drover makes `DATABASE_URL` from it, over TLS without verifying the server\'s certificate (`sslmode=no-verify`). Not together with `DATABASE_URL`.' },
  { env: 'DROVER_LEDGER_RETENTION_DAYS', type: 'int', part: 'database', min: 1, max: 36500, doc: 'Keep the ledger\'s processes this many days: a process that ended (SUCCEEDED, FAILED, CANCELLED), made and finished longer ago, is deleted with its tasks and idempotency keys by the sweeper (every `DROVER_SWEEP_MINUTES`) and by `drover db prune`, a thousand a short transaction. QUEUED and RUNNING processes are never deleted. Unset: kept forever.' },
  // REST API
  { env: 'DROVER_API_PORT', type: 'int', part: 'api', default: '4570', min: 0, max: 65535, doc: 'Port the REST API listens on (`npm run api`); 0 picks a free one. Swagger UI is at `/docs` on it.' },
  { env: 'DROVER_API_TRUSTED_PROXIES', type: 'int', part: 'api', default: '0', min: 0, max: 10, doc: 'Proxies in front of the API whose `X-Forwarded-For` it believes (the CDK stack sets 1, its load balancer): without, every request without a key would count against the proxy\'s address. 0: none, as locally, where a client could otherwise name any address it likes.' },
  { env: 'DROVER_API_RATE_PER_MINUTE', type: 'int', part: 'api', default: '600', min: 1, max: 1000000, doc: 'Requests one API key may send a minute (requests without a key: one client address); past it the API answers 429 with `Retry-After`. 600 is 10 a second, far above what a person or a scheduler sends, low enough that one runaway script cannot take the server from everyone else. The count is kept per server process.' },
  { env: 'DROVER_UPDATE_SCREENSHOT', type: 'boolean', part: 'api', doc: 'For the tests alone: `1` and the browser test (`test/e2e/swagger-ui.test.ts`) also copies its screenshot of Swagger UI to `docs/swagger-ui.png`, the one this README shows. Unset (CI), a test run leaves the tree as it was.' },
  // Prices
  { env: 'DROVER_PRICE_VCPU_HOUR', type: 'number', part: 'prices', default: '0.012144', min: 0, doc: 'USD a vCPU-hour, for the estimated cost of processes (`usage.estimatedUsd`, `drover usage`, `GET /v1/usage`). The default is Fargate Spot in us-east-1, Linux/x86: the on-demand $0.04048 at Spot\'s full 70% discount (see [What a process cost](#what-a-process-cost)).' },
  { env: 'DROVER_PRICE_GIB_HOUR', type: 'number', part: 'prices', default: '0.0013335', min: 0, doc: 'USD a GiB of memory an hour, as `DROVER_PRICE_VCPU_HOUR`: Fargate Spot\'s us-east-1 Linux/x86 price, the on-demand $0.004445 a GB-hour at 70% off.' },
  // Fetch and run
  { env: 'DROVER_VENV_CACHE', type: 'string', part: 'runner', default: '.drover/venvs', doc: 'Directory where the fetch-and-run entrypoint keeps one Python virtualenv per distinct `modules` list (named by its hash), so a step whose modules were installed before starts at once.' },
  // Sheet
  { env: 'SHEET_MAX_BYTES', type: 'int', part: 'sheet', default: String(DEFAULT_SHEET_LIMITS.maxBytes), min: 1, doc: 'Largest workbook accepted, in bytes (100 MiB).' },
  { env: 'SHEET_MAX_ROWS', type: 'int', part: 'sheet', default: String(DEFAULT_SHEET_LIMITS.maxRows), min: 1, doc: 'Most customer rows accepted: the rows below the header row.' },
  { env: 'SHEET_MAX_CELL_CHARS', type: 'int', part: 'sheet', default: String(DEFAULT_SHEET_LIMITS.maxCellChars), min: 1, doc: 'Longest cell accepted; a longer one rejects its row.' },
  // Embedded stack
  { env: 'DROVER_HOME', type: 'string', part: 'stack', default: '.drover', doc: 'Directory of the embedded stack\'s state: Temporal database, `stack.json`, logs.' },
  { env: 'DROVER_TEMPORAL_PORT', type: 'int', part: 'stack', default: '7233', min: 0, max: 65535, doc: 'gRPC port of the embedded Temporal server (0 picks a free one).' },
  { env: 'DROVER_TEMPORAL_UI_PORT', type: 'int', part: 'stack', default: '8233', min: 0, max: 65535, doc: 'Web UI port of the embedded Temporal server (0 picks a free one).' },
  { env: 'DROVER_MOTO_PORT', type: 'int', part: 'stack', default: '4566', min: 0, max: 65535, doc: 'Port of the AWS emulator (moto).' },
  { env: 'DROVER_DYNAMODB_PORT', type: 'int', part: 'stack', default: '4569', min: 0, max: 65535, doc: 'Port of the embedded DynamoDB (dynalite, in memory).' },
  { env: 'DROVER_BATCH_PORT', type: 'int', part: 'stack', default: '4567', min: 0, max: 65535, doc: 'Port of the local Batch executor.' },
  { env: 'DROVER_BATCH_VCPUS', type: 'int', part: 'stack', default: '4', min: 1, max: 4096, doc: 'vCPUs of the Batch job queue, 1 a child: the local executor\'s budget of children running at once, and the capacity the fan-out plan counts on (the CDK stack sets it to `drover:maxVcpus` for the worker). Give the worker the same value as the stack.' },
  { env: 'DROVER_POSTGRES_PORT', type: 'int', part: 'stack', default: '5432', min: 0, max: 65535, doc: 'Port of the embedded PostgreSQL server (data under `<DROVER_HOME>/postgres`). Not started when `DATABASE_URL` is set.' },
  { env: 'DROVER_PORTAL_PORT', type: 'int', part: 'stack', default: '4568', min: 0, max: 65535, doc: 'Port of the demo tax portal.' },
  { env: 'DROVER_PORTAL_LATENCY_MS', type: 'int', part: 'stack', default: '20', min: 0, doc: 'Latency the demo portal adds to each answer.' },
  { env: 'DROVER_PORTAL_FAULT_RATE', type: 'number', part: 'stack', default: '0.05', min: 0, max: 1, doc: 'Share of demo-portal requests that meet a transient fault.' },
  { env: 'DROVER_PORTAL_FAULT_KINDS', type: 'string', part: 'stack', default: '500,reset,truncated,maintenance,maintenance200,429,slow', doc: 'Faults the demo portal picks from: 500, reset, truncated, maintenance (503), maintenance200, 429, slow, hang.' },
  { env: 'DROVER_PORTAL_MAINTENANCE_SECONDS', type: 'int', part: 'stack', default: '0', min: 0, max: 29, doc: 'The demo portal is closed this many seconds of every 30, from 2 s after its first lookup, answering 503 with `Retry-After` (the bench\'s `--maintenance`); 0: never.' },
  { env: 'DROVER_PORTAL_SEED', type: 'int', part: 'stack', default: '42', min: 0, doc: 'Seed of the demo portal\'s data and faults.' },
] as const satisfies readonly Setting[];

export type SettingName = (typeof SETTINGS)[number]['env'];

/**
 * A setting's default or fallback as declared above, for the places that cannot read the
 * environment (the image, the CDK app) and for the configuration's own fallbacks.
 */
export function declaredValue(name: SettingName, which: 'default' | 'fallback' = 'default'): string {
  const value = (SETTINGS as readonly Setting[]).find((s) => s.env === name)?.[which];
  if (value === undefined) throw new ConfigError(`${name} has no ${which} in settings.ts`);
  return value;
}
