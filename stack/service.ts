import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotReadyError, waitFor, type Probe } from './probes.js';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Answers once the service is usable. */
  probe?: Probe;
  /** For a service with nothing to ask (the trigger, the worker): ready once it prints this. */
  readyPattern?: RegExp;
  /** Seconds to wait for the first answer. */
  startTimeoutSeconds?: number;
  /** Runs once a restarted process answers: state the process lost (buckets, job definitions) is made again. */
  afterRestart?: () => Promise<void>;
  /** Run as this user and group (the stack, when root, runs PostgreSQL as `postgres`: it refuses root). */
  uid?: number;
  gid?: number;
  /** What `stop` sends first (default SIGTERM): PostgreSQL's SIGTERM waits for every client to leave, its SIGINT does not. */
  stopSignal?: NodeJS.Signals;
}

/**
 * One supervised process of the embedded stack. It runs in its own process group, so
 * stopping it also stops what it started (the Batch executor's children); its output goes
 * to `<logDir>/<name>.log`. An unexpected exit is reported and the process restarted.
 */
export class Service {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private readonly log: WriteStream;
  private sawReadyLine = false;

  constructor(
    readonly spec: ServiceSpec,
    logDir: string,
    private readonly say: (line: string) => void,
  ) {
    this.log = createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'a' });
  }

  get logPath(): string {
    return this.log.path as string;
  }

  async start(): Promise<void> {
    this.spawn();
    try {
      await waitFor(this.spec.name, this.probe, (this.spec.startTimeoutSeconds ?? 60) * 1000, () => this.alive());
    } catch (err) {
      if (!(err instanceof NotReadyError)) throw err;
      // The log holds why (a port taken, a bad flag); it is gone with a throwaway home, so say it here.
      await new Promise<void>((resolve) => this.log.write('', () => resolve()));
      const tail = readFileSync(this.logPath, 'utf8').slice(-1500).trim();
      throw new NotReadyError(`${err.message}; the end of ${this.logPath}:\n${tail || '(empty)'}`, { cause: err });
    }
  }

  private readonly probe: Probe = async () => {
    if (this.spec.readyPattern && !this.sawReadyLine) return false;
    return this.spec.probe ? this.spec.probe() : true;
  };

  private alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private spawn(): void {
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: this.spec.uid,
      gid: this.spec.gid,
    });
    this.child = child;
    this.sawReadyLine = false;
    const pattern = this.spec.readyPattern;
    if (pattern) {
      child.stdout?.on('data', (data: Buffer) => {
        if (pattern.test(data.toString())) this.sawReadyLine = true;
      });
    }
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('error', (err) => this.say(`${this.spec.name}: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.say(`${this.spec.name} exited (${signal ?? `code ${code}`}); restarting it. Log: ${this.logPath}`);
      void this.restart();
    });
  }

  private async restart(): Promise<void> {
    this.restarts++;
    await sleep(Math.min(250 * 2 ** Math.min(this.restarts, 5), 8000));
    if (this.stopping) return;
    this.spawn();
    try {
      await waitFor(this.spec.name, this.probe, 60_000, () => this.alive());
      await this.spec.afterRestart?.();
      this.say(`${this.spec.name} is back`);
    } catch (err) {
      this.say(`${this.spec.name} did not come back: ${String(err)}`);
    }
  }

  /** Sends SIGTERM (or the spec's stopSignal) to the whole group, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child?.pid && this.alive()) {
      const exited = once(child, 'exit');
      signalGroup(child.pid, this.spec.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    // Anything the service left in its group (children it spawned) goes too.
    if (child?.pid) signalGroup(child.pid, 'SIGKILL');
    this.log.end();
  }

  /** The pid, for tests that kill a service to see it come back. */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
