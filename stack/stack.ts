import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAwsClients, destroyAwsClients } from '../config/aws-clients.js';
import { loadConfig, type Config } from '../config/load-config.js';
import { stackFilePath, type StackFile } from '../config/stack-file.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../workflows/definitions.js';
import { portOrFree } from './free-port.js';
import { httpProbe, outboxProbe, tcpProbe } from './probes.js';
import { provision } from './provision.js';
import { ensureSweeperSchedule } from './sweeper-schedule.js';
import { Service, type ServiceSpec } from './service.js';
import { motoServerScript, venvBin } from './venv.js';
import { dynamodbService } from './dynamodb-service.js';
import { workerNodeFlags } from '../workers/worker-command.js';
import { migrateLedger } from '../cli/db-migrate.js';
import { embeddedPostgresUrl, ensureDatabase, postgresService } from './postgres-service.js';
import { makeStackApiKey } from './stack-api-key.js';

/** Starts of a service whose port was taken as it bound it, before the stack gives up. */
const PORT_TAKEN_ATTEMPTS = 3;

export interface StackOptions {
  /** The repository root: where dist/ and .venv/ are. */
  root: string;
  /** Settings for the stack and everything it starts (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Start a Temporal worker too (default true). */
  worker?: boolean;
  /** Use this Temporal server instead of starting one (tests bring a TestWorkflowEnvironment's). */
  temporal?: { address: string; namespace: string; ui: string };
  say?: (line: string) => void;
}

export interface RunningStack {
  file: StackFile;
  /** The configuration every process of the stack runs with. */
  config: Config;
  /** The environment that points a process at this stack. */
  env: NodeJS.ProcessEnv;
  services: Map<string, Service>;
  stop(): Promise<void>;
}

/**
 * Starts the embedded stack: Temporal, the AWS emulator, the Batch executor, the demo
 * portal and PostgreSQL (unless DATABASE_URL names another server) with the ledger's
 * migrations applied, then (once the emulator is provisioned) the trigger, the worker and the
 * REST API, with an admin key made for this stack in stack.json.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const say = options.say ?? ((line: string) => console.log(line));
  const baseEnv = options.env ?? process.env;
  const config = loadConfig({ env: baseEnv, useStackFile: false, cwd: options.root });
  const { home } = config.stack;
  const logDir = join(home, 'logs');
  mkdirSync(logDir, { recursive: true });

  const temporalPort = await portOrFree(config.stack.temporalPort);
  const uiPort = await portOrFree(config.stack.temporalUiPort);
  const motoPort = await portOrFree(config.stack.motoPort);
  const dynamodbPort = await portOrFree(config.stack.dynamodbPort);
  const batchPort = await portOrFree(config.stack.batchPort);
  const portalPort = await portOrFree(config.stack.portalPort);
  const startPortal = !config.source.url;
  const postgresPort = await portOrFree(config.stack.postgresPort);
  const startPostgres = !config.database.url;
  const databaseUrl = config.database.url ?? embeddedPostgresUrl(home, postgresPort);
  const file: StackFile = {
    temporal: options.temporal ?? { address: `127.0.0.1:${temporalPort}`, namespace: config.temporal.namespace, ui: `http://127.0.0.1:${uiPort}` },
    aws: { endpoint: `http://127.0.0.1:${motoPort}`, dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`, region: config.aws.region, bucket: config.aws.bucket, queueUrl: '' },
    batch: { endpoint: `http://127.0.0.1:${batchPort}`, jobQueue: config.batch.jobQueue },
    portal: { url: config.source.url ?? `http://127.0.0.1:${portalPort}` },
    database: { url: databaseUrl },
    pid: process.pid,
  };
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    DROVER_HOME: home,
    TEMPORAL_ADDRESS: file.temporal.address,
    TEMPORAL_NAMESPACE: file.temporal.namespace,
    TEMPORAL_UI_URL: file.temporal.ui,
    AWS_ENDPOINT_URL: file.aws.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: file.aws.dynamodbEndpoint,
    AWS_REGION: file.aws.region,
    DROVER_BUCKET: file.aws.bucket,
    BATCH_ENDPOINT_URL: file.batch.endpoint,
    BATCH_JOB_QUEUE: file.batch.jobQueue,
    TAX_SOURCE_URL: file.portal.url,
    DATABASE_URL: databaseUrl,
  };
  const node = (name: string, script: string, args: string[], rest: Partial<ServiceSpec>, flags: string[] = []): ServiceSpec => ({
    name,
    command: process.execPath,
    args: [...flags, join(options.root, 'dist', script), ...args],
    env,
    cwd: options.root,
    ...rest,
  });

  const temporal: ServiceSpec = {
      name: 'temporal',
      command: venvBin(options.root, 'temporal'),
      args: [
        'server', 'start-dev',
        '--ip', '127.0.0.1',
        '--port', String(temporalPort),
        '--ui-port', String(uiPort),
        '--db-filename', join(home, 'temporal.db'),
        // A write-ahead log synced at checkpoints, not at every commit: each workflow task, timer
        // and heartbeat is a commit, and an fsync each capped the server at a few hundred a
        // second. What a crash of the machine could lose is the last moments of a local stack.
        '--sqlite-pragma', 'journal_mode=wal',
        '--sqlite-pragma', 'synchronous=normal',
        '--namespace', config.temporal.namespace,
        '--log-level', 'warn',
        '--ui-disable-news-fetch',
        ...SEARCH_ATTRIBUTE_FLAGS.flatMap((flag) => ['--search-attribute', flag]),
      ],
      env: baseEnv,
      cwd: options.root,
      probe: async () => (await tcpProbe(temporalPort)()) && (await httpProbe(file.temporal.ui)()),
      startTimeoutSeconds: 120,
  };
  const specs: ServiceSpec[] = [
    ...(options.temporal ? [] : [temporal]),
    {
      // moto's own server, plus the outbox route the CLI reads emails from (stack/moto-server.py).
      name: 'moto',
      command: venvBin(options.root, 'python'),
      args: [motoServerScript(options.root), '-H', '127.0.0.1', '-p', String(motoPort)],
      env: baseEnv,
      cwd: options.root,
      probe: outboxProbe(file.aws.endpoint),
    },
    dynamodbService(options.root, dynamodbPort, baseEnv),
    node('batch', 'batch/main.js', ['--port', String(batchPort), '--vcpus', String(config.stack.batchVcpus), '--work-dir', options.root, '--job-queue', config.batch.jobQueue], {
      probe: tcpProbe(batchPort),
    }),
  ];
  if (startPortal) {
    specs.push(
      node('portal', 'portal/main.js', ['--port', String(portalPort), '--latency', String(config.stack.portalLatencyMs), '--fault-rate', String(config.stack.portalFaultRate), '--fault-kinds', config.stack.portalFaultKinds, '--seed', String(config.stack.portalSeed), ...portalMaintenance(config.stack.portalMaintenanceSeconds)], {
        probe: httpProbe(`${file.portal.url}/healthz`),
      }),
    );
  }

  const provisionStack = async (): Promise<string> => {
    const aws = createAwsClients({ aws: { ...config.aws, endpoint: file.aws.endpoint, dynamodbEndpoint: file.aws.dynamodbEndpoint }, batch: { ...config.batch, endpoint: file.batch.endpoint } });
    try {
      return (await provision(aws, config)).queueUrl;
    } finally {
      destroyAwsClients(aws);
    }
  };
  // moto and the Batch executor keep their state in memory: after a restart, provision again.
  for (const spec of specs) {
    if (spec.name === 'moto' || spec.name === 'batch') spec.afterRestart = async () => void (await provisionStack());
  }

  const services = new Map<string, Service>();
  const startService = async (spec: ServiceSpec) => {
    for (let attempt = 1; ; attempt++) {
      const service = new Service(spec, logDir, say);
      services.set(spec.name, service);
      try {
        await service.start();
        return;
      } catch (err) {
        // A port found free a moment ago can be taken before the service binds it (by an outgoing
        // connection's ephemeral port, say): such a holder is gone a moment later, so try again.
        if (attempt >= PORT_TAKEN_ATTEMPTS || !String((err as Error).message).includes('address already in use')) throw err;
        say(`${spec.name}: its port was taken as it started; starting it again`);
        await service.stop();
        await sleep(1000);
      }
    }
  };
  const startDatabase = async () => {
    if (startPostgres) {
      await startService(await postgresService({ home, port: postgresPort, env: baseEnv, say }));
      await ensureDatabase(databaseUrl);
    }
    const applied = await migrateLedger(databaseUrl);
    if (applied.length > 0) say(`ledger: applied ${applied.join(', ')}`);
  };
  const stop = async () => {
    // The database last: a worker still finishing its activities writes to the ledger.
    const database = services.get('postgres');
    await Promise.all([...services.values()].reverse().filter((s) => s !== database).map((s) => s.stop()));
    await database?.stop();
    rmSync(stackFilePath(home), { force: true });
  };
  try {
    // Settled, not Promise.all: PostgreSQL's Service is made after initdb, so stopping at the
    // first failure could miss one still on its way.
    const started = await Promise.allSettled([startDatabase(), ...specs.map(startService)]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const [queueUrl, apiKey] = await Promise.all([provisionStack(), makeStackApiKey(databaseUrl)]);
    file.aws.queueUrl = queueUrl;
    // Picked now, not with the others: a free port picked early can be taken by the time the late
    // wave starts (an outgoing connection's ephemeral port), and the API would find it in use.
    const apiPort = await portOrFree(config.api.port);
    // The key goes to stack.json alone: no service of the stack needs it.
    file.api = { url: `http://127.0.0.1:${apiPort}`, key: apiKey };
    env.DROVER_QUEUE_URL = file.aws.queueUrl;
    await ensureSweeperSchedule(loadConfig({ env, useStackFile: false, cwd: options.root }));
    // Owner only: it holds the database's password and an admin key.
    writeFileSync(stackFilePath(home), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    chmodSync(stackFilePath(home), 0o600);

    const late: ServiceSpec[] = [node('trigger', 'trigger/local-poller.js', [], { readyPattern: /trigger polling/ })];
    if (options.worker !== false) late.push(node('worker', 'workers/worker.js', [], { readyPattern: /worker polling/, startTimeoutSeconds: 120 }, workerNodeFlags(config.temporal.workerHeapMb)));
    // With the late wave: it needs the migrated ledger, and starting beside the worker costs no time.
    // Ready at /healthz's 200, which needs both the database and Temporal (503 until then).
    late.push(node('api', 'api/main.js', [], { env: { ...env, DROVER_API_PORT: String(apiPort) }, probe: httpProbe(`${file.api.url}/healthz`) }));
    await Promise.all(late.map(startService));
  } catch (err) {
    await stop();
    throw err;
  }
  return { file, config: loadConfig({ env, useStackFile: false, cwd: options.root }), env, services, stop };
}

/** The demo portal's maintenance window (DROVER_PORTAL_MAINTENANCE_SECONDS): closed that long of every 30 s, the first 2 s after its first lookup. */
function portalMaintenance(seconds: number): string[] {
  return seconds > 0 ? ['--maintenance', String(seconds), '--maintenance-every', '30', '--maintenance-after', '2'] : [];
}
