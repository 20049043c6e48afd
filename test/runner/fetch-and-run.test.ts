import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseJob, stepEnvironment } from '../../catalog/job-definition.js';
import { stepDefinitionEnvironment } from '../../catalog/step-contract.js';
import { MOTO_CREDENTIALS, startMoto, type Moto } from '../support/moto.js';
import { runRunner, startRunner } from './run-runner.js';

const BUCKET = 'drover-steps';
let moto: Moto;
let s3: S3Client;
/** The runner's cwd, and the parent of each test's venv cache. */
let root: string;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  root = mkdtempSync(join(tmpdir(), 'drover-runner-test-'));
});

afterAll(async () => {
  s3?.destroy();
  await moto?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function upload(key: string, body: string): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return `s3://${BUCKET}/${key}`;
}

/** The environment the worker gives a step's Batch job: the step as a job document declares it, the process's parameters, the emulator. */
function stepEnv(step: Record<string, unknown>, cache: string, parameters: Record<string, unknown> = {}): Record<string, string> {
  const [parsed] = parseJob({ id: 'runner-test', name: 'Runner test', parameters: { type: 'object' }, steps: [{ name: 'only', ...step }] }).steps;
  return {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    DROVER_VENV_CACHE: cache,
    ...stepDefinitionEnvironment(parsed!),
    ...stepEnvironment({ processId: 'process-1', jobId: 'runner-test', task: 'only' }, parameters),
    ...parsed!.env,
  };
}

/** The venv directory name of a modules list, worked out here: SHA-256 of the sorted requirements, one a line, 16 hex digits. */
function keyOf(...requirements: string[]): string {
  return createHash('sha256').update([...requirements].sort().join('\n')).digest('hex').slice(0, 16);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PARAMS_SCRIPT = `
import os, sys
print("date=" + os.environ["DROVER_PARAM_DATE"])
print("limit=" + os.environ["DROVER_PARAM_LIMIT"])
print("params=" + os.environ["DROVER_PARAMS"])
print("task=" + os.environ["DROVER_TASK"] + " process=" + os.environ["DROVER_PROCESS_ID"])
print("target=" + os.environ["TARGET"])
print("file=" + os.path.basename(sys.argv[0]))
print("cwd=" + os.getcwd())
`;

describe('fetch-and-run, a script step', () => {
  it('downloads the script and runs it with the step\'s variables, in a directory it removes afterwards', async () => {
    const script = await upload('templates/runner-test/report.py', PARAMS_SCRIPT);
    const result = await runRunner(stepEnv({ script, env: { TARGET: 'warehouse' } }, join(root, 'plain'), { date: '2024-03-01', limit: 5 }), root);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'date=2024-03-01',
      'limit=5',
      'params={"date":"2024-03-01","limit":5}',
      'task=only process=process-1',
      'target=warehouse',
      'file=report.py',
    ]);
    const cwd = lines[6]!.replace(/^cwd=/, '');
    expect(cwd).toMatch(/drover-step-/);
    expect(existsSync(cwd)).toBe(false);
    expect(result.stderr).toBe(`drover fetch-and-run: python3 ${script}\n`);
  });

  it('exits with the script\'s exit status', async () => {
    const script = await upload('templates/runner-test/fail.py', 'import sys\nprint("failing")\nsys.exit(7)\n');
    const result = await runRunner(stepEnv({ script }, join(root, 'plain')), root);
    expect(result.stdout).toBe('failing\n');
    expect(result.code).toBe(7);
  });

  it('runs a bash script with bash', async () => {
    const script = await upload('templates/runner-test/hello.sh', 'echo "hello $DROVER_PARAM_WHO from $(basename "$0")"\n');
    const result = await runRunner(stepEnv({ script }, join(root, 'plain'), { who: 'bash' }), root);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello bash from hello.sh\n');
  });

  it('exits 4 with a clear line when the script is not in the bucket', async () => {
    const result = await runRunner(stepEnv({ script: `s3://${BUCKET}/templates/runner-test/missing.py` }, join(root, 'plain')), root);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^drover fetch-and-run: cannot download the script s3:\/\/drover-steps\/templates\/runner-test\/missing\.py: NoSuchKey: .*; exiting 4 \(RUNNER_FETCH_FAILED\)\n$/);
  });

  it('forwards SIGTERM to the script, exits 143 and leaves no process behind', async () => {
    const script = await upload('templates/runner-test/sleep.py', 'import os, time\nprint(os.getpid(), os.getcwd(), flush=True)\ntime.sleep(600)\n');
    const runner = startRunner(stepEnv({ script }, join(root, 'plain')), root);
    const [, pid, cwd] = await runner.stdoutMatch(/^(\d+) (\S+)\n/);
    expect(isAlive(Number(pid))).toBe(true);
    runner.proc.kill('SIGTERM');
    const result = await runner.done;
    expect(result.code).toBe(143);
    expect(isAlive(Number(pid))).toBe(false);
    expect(existsSync(cwd!)).toBe(false);
  });
});

describe('fetch-and-run, a command step', () => {
  it('runs the command with the step\'s environment and passes its status on', async () => {
    const command = ['python3', '-c', 'import os, sys; print(os.environ["GREETING"] + " " + os.environ["DROVER_PARAM_NAME"]); sys.exit(3 + 2)'];
    const result = await runRunner(stepEnv({ command, env: { GREETING: 'hello' } }, join(root, 'plain'), { name: 'ranch' }), root);
    expect(result.stdout).toBe('hello ranch\n');
    expect(result.code).toBe(5);
    expect(result.stderr).toBe(`drover fetch-and-run: command ${JSON.stringify(command)}\n`);
  });

  it('exits 127 when the program does not exist', async () => {
    const result = await runRunner(stepEnv({ command: ['drover-no-such-program'] }, join(root, 'plain')), root);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('cannot run "drover-no-such-program"');
  });

  it('exits 2 when the step\'s variables are broken', async () => {
    const env = { ...stepEnv({ command: ['true'] }, join(root, 'plain')), DROVER_STEP_SCRIPT: `s3://${BUCKET}/x.py` };
    const result = await runRunner(env, root);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('drover fetch-and-run: set exactly one of DROVER_STEP_SCRIPT and DROVER_STEP_COMMAND; exiting 2 (STEP_CONTRACT_INVALID)\n');
  });
});

describe('fetch-and-run, a step with modules', () => {
  const SIX = 'six==1.16.0';

  it('installs the modules into a venv once, and reuses it without pip', async () => {
    const cache = join(root, 'venvs');
    const venv = join(cache, keyOf(SIX));
    const script = await upload('templates/runner-test/uses-six.py', 'import sys, six\nprint(six.__version__)\nprint(sys.prefix)\n');

    const first = await runRunner(stepEnv({ script, modules: [SIX] }, cache), root);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Successfully installed six-1\.16\.0\n/);
    expect(first.stdout.endsWith(`1.16.0\n${venv}\n`)).toBe(true);
    expect(first.stderr).toMatch(new RegExp(`^drover fetch-and-run: python3 ${script}; venv ${keyOf(SIX)} \\(1 module\\) built in \\d+\\.\\d s\\n$`));
    const built = statSync(venv);

    // The same list spelled otherwise (PEP 503 names) is the same venv; a command step finds its python3 on PATH.
    const command = ['python3', '-c', 'import os, sys, six; print(six.__version__, sys.prefix, os.environ["VIRTUAL_ENV"])'];
    const second = await runRunner(stepEnv({ command, modules: ['Six==1.16.0'] }, cache), root);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`1.16.0 ${venv} ${venv}\n`);
    expect(second.stderr).toBe(`drover fetch-and-run: command ${JSON.stringify(command)}; venv ${keyOf(SIX)} (1 module) cached\n`);
    const reused = statSync(venv);
    expect([reused.ino, reused.mtimeMs]).toEqual([built.ino, built.mtimeMs]);
    expect(readdirSync(cache)).toEqual([keyOf(SIX)]);
  });

  it('gives two steps racing for the same new venv one complete venv', async () => {
    const cache = join(root, 'race');
    const venv = join(cache, keyOf(SIX));
    const command = ['python3', '-c', 'import sys, six; print(six.__version__, sys.prefix)'];
    const results = await Promise.all([runRunner(stepEnv({ command, modules: [SIX] }, cache), root), runRunner(stepEnv({ command, modules: [SIX] }, cache), root)]);
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stdout.endsWith(`1.16.0 ${venv}\n`)).toBe(true);
    }
    // The loser's build is gone: the cache holds the one venv.
    expect(readdirSync(cache)).toEqual([keyOf(SIX)]);
  });

  it('exits 3 with a clear line when pip cannot install a module, and caches nothing', async () => {
    const cache = join(root, 'bad');
    const result = await runRunner(stepEnv({ command: ['python3', '-c', 'print("never")'], modules: ['six==999.0.0'] }, cache), root);
    expect(result.code).toBe(3);
    expect(result.stdout).not.toContain('never');
    expect(result.stderr).toMatch(/No matching distribution found for six==999\.0\.0/);
    expect(result.stderr).toMatch(/drover fetch-and-run: pip could not install six==999\.0\.0: it exited 1; exiting 3 \(RUNNER_MODULES_FAILED\)\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(cache)).toEqual([]);
  });
});
