/**
 * The fetch-and-run entrypoint: the one program every step of a catalog job runs as, in its
 * Batch job (`node dist/runner/fetch-and-run.js`). The step's job definition says what to run
 * (catalog/step-contract.ts); the runner downloads the script from S3 into a fresh directory,
 * makes the step's Python modules ready in a cached virtualenv, runs the script or command
 * there with the step's environment and stdio, and exits with its status, so Batch sees the
 * step's own success or failure.
 *
 * Exit status: the step's own, 128 + the signal's number when a signal ended it; else one of
 * the runner's (runner-errors.ts): 2 the step's variables or a setting are broken, 3 its
 * modules could not be installed, 4 its script could not be downloaded, 127 its program could
 * not be started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { parseStepContract, withoutStepVariables, type StepLaunch } from '../catalog/step-contract.js';
import { s3ClientOptions } from '../config/aws-client-options.js';
import { loadConfigParts } from '../config/load-config.js';
import { fetchScript } from './fetch-script.js';
import { RUNNER_EXIT_CODES } from './runner-errors.js';
import { SignalRelay } from './signal-relay.js';
import { ensureVenv, venvEnvironment, type Venv } from './venv-cache.js';

const LABEL = 'drover fetch-and-run';

function say(line: string): void {
  process.stderr.write(`${LABEL}: ${line}\n`);
}

/** One line for the task log: what runs, and whether its venv was cached or how long it took to build. */
function header(launch: StepLaunch, venv: Venv | undefined): string {
  const what = launch.kind === 'script' ? `${launch.runtime} ${launch.url}` : `command ${JSON.stringify(launch.command)}`;
  const short = what.length > 200 ? `${what.slice(0, 199)}…` : what;
  if (venv === undefined) return short;
  const count = `${launch.modules.length} module${launch.modules.length === 1 ? '' : 's'}`;
  const state = venv.cached ? 'cached' : `built in ${((venv.buildMs ?? 0) / 1000).toFixed(1)} s`;
  return `${short}; venv ${venv.key} (${count}) ${state}`;
}

async function run(relay: SignalRelay): Promise<number> {
  const launch = parseStepContract(process.env);
  const config = loadConfigParts(['aws', 'runner'], { env: withoutStepVariables(process.env) });
  const work = await mkdtemp(join(tmpdir(), 'drover-step-'));
  try {
    let scriptPath: string | undefined;
    if (launch.kind === 'script') {
      const s3 = new S3Client(s3ClientOptions(config));
      try {
        scriptPath = await fetchScript(s3, launch.script, work, relay.signal);
      } finally {
        s3.destroy();
      }
    }
    const venv = launch.modules.length === 0 ? undefined : await ensureVenv(config.runner.venvCache, launch.modules, (argv) => relay.run(argv, { cwd: work, env: process.env }));
    if (relay.stoppedStatus !== undefined) return relay.stoppedStatus;
    const env = venv === undefined ? process.env : venvEnvironment(process.env, venv.dir);
    const argv =
      launch.kind === 'command'
        ? launch.command
        : [venv !== undefined && launch.runtime === 'python3' ? join(venv.dir, 'bin', 'python3') : launch.runtime, scriptPath!];
    say(header(launch, venv));
    return await relay.run(argv, { cwd: work, env });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const relay = new SignalRelay();
  try {
    return await run(relay);
  } catch (error) {
    // Stopped by a signal: whatever failed failed because of it.
    if (relay.stoppedStatus !== undefined) return relay.stoppedStatus;
    const code = (error as { code?: unknown }).code;
    const status = typeof code === 'string' ? RUNNER_EXIT_CODES[code] : undefined;
    if (status === undefined) throw error;
    say(`${(error as Error).message}; exiting ${status} (${code as string})`);
    return status;
  }
}

process.exit(await main());
