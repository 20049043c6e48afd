/** The fetch-and-run entrypoint as Batch starts it: `node dist/runner/fetch-and-run.js`, a process of its own with the step's environment. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const RUNNER = join(process.cwd(), 'dist', 'runner', 'fetch-and-run.js');

export interface RunnerResult {
  /** Exit code, or undefined when a signal ended the runner itself. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningRunner {
  proc: ChildProcess;
  /** Resolves with the first match of `pattern` in stdout (a bound only catches a broken test). */
  stdoutMatch(pattern: RegExp, limitMs?: number): Promise<RegExpExecArray>;
  done: Promise<RunnerResult>;
}

/**
 * The test process's environment without its own drover and AWS settings (a developer's
 * shell may set some), so the runner sees only what the test gives it.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DROVER_|AWS_|BATCH_|TEMPORAL_|TAX_SOURCE_|SHEET_|DATABASE_URL$)/.test(name)));
}

export function startRunner(env: Record<string, string>, cwd: string): RunningRunner {
  const proc = spawn(process.execPath, [RUNNER], { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of watchers) check();
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<RunnerResult>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const stdoutMatch = (pattern: RegExp, limitMs = 60_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`the runner never printed ${pattern}; stdout: ${stdout}; stderr: ${stderr}`));
      }, limitMs);
      const check = (): void => {
        const match = pattern.exec(stdout);
        if (!match) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolve(match);
      };
      watchers.add(check);
      check();
    });
  return { proc, stdoutMatch, done };
}

export function runRunner(env: Record<string, string>, cwd: string): Promise<RunnerResult> {
  return startRunner(env, cwd).done;
}
