import { spawn, type ChildProcess } from 'node:child_process';
import { BenchError } from './errors.js';

/** Runs `node <script> ...args` to its end and returns its stdout; stderr is passed through. */
export function runNode(script: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', (cause) => reject(new BenchError(`${script} did not start`, 'BENCH_BASELINE_FAILED', { cause })));
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new BenchError(`${script} exited with ${code}: ${out.slice(-500)}`, 'BENCH_BASELINE_FAILED'));
    });
  });
}

/**
 * Starts `node <script> ...args` and resolves with the first match of `ready` in its
 * stdout, while it keeps running; the caller stops it with stop().
 */
export function startNode(script: string, args: string[], cwd: string, ready: RegExp, timeoutMs = 30_000): Promise<{ match: RegExpExecArray; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new BenchError(`${script} printed nothing like ${ready} in ${timeoutMs} ms`, 'BENCH_TIMEOUT'));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ match, stop });
      }
    });
    child.once('error', (cause) => {
      clearTimeout(timer);
      reject(new BenchError(`${script} did not start`, 'BENCH_BASELINE_FAILED', { cause }));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new BenchError(`${script} exited before it was ready: ${out.slice(-500)}`, 'BENCH_BASELINE_FAILED'));
    });
  });
}
