/** Runs budget-child.js as a real node process and follows what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
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
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BUDGET_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: BudgetChildEvent[] = [];
  let err = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  let outClosed = false;
  createInterface({ input: proc.stdout! })
    .on('line', (line) => events.push(JSON.parse(line) as BudgetChildEvent))
    .on('close', () => {
      outClosed = true;
    });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    proc,
    events,
    stderr: () => err,
    exited,
    async waitFor(what, match) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        // Everything it printed is in: it will never say it.
        if (outClosed && proc.exitCode !== null) throw new Error(`${config.clientId} exited ${proc.exitCode} before ${what}: ${err}`);
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${config.clientId}: ${what}; stderr: ${err}`);
        await sleep(50);
      }
    },
  };
}
