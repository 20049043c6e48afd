/** Runs budget-child.js as a real node process and follows what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from '../../support/eventually.js';
import type { BudgetChildConfig, BudgetChildEvent } from './child-config.js';

export interface RunningChild {
  proc: ChildProcess;
  events: BudgetChildEvent[];
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  waitFor<T extends BudgetChildEvent>(what: string, match: (e: BudgetChildEvent) => e is T): Promise<T>;
}

export function spawnBudgetChild(config: BudgetChildConfig): RunningChild {
  const proc = spawn(process.execPath, [join(process.cwd(), 'dist', 'test', 'budget', 'support', 'budget-child.js')], {
    env: { ...process.env, BUDGET_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: BudgetChildEvent[] = [];
  let err = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => events.push(JSON.parse(line) as BudgetChildEvent));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    proc,
    events,
    stderr: () => err,
    exited,
    waitFor: (what, match) =>
      eventually(`${config.clientId}: ${what}`, () => {
        if (proc.exitCode !== null) throw new Error(`${config.clientId} exited ${proc.exitCode}: ${err}`);
        return events.find(match);
      }, 60_000),
  };
}
