import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { specPage } from './support.js';

const MAIN = join(process.cwd(), 'dist', 'portal', 'main.js');

describe('portal CLI', () => {
  it('prints its URL, serves the portal and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--latency', '1', '--seed', '42', '--fault-rate', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const match = /^portal listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      expect(match).not.toBeNull();
      const url = match?.[1] ?? '';
      expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
      expect(await (await fetch(`${url}/parcels/12-345-678`)).text()).toBe(specPage('parcel-delinquent.html'));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a bad option with exit code 1 and a message', async () => {
    const child = spawn(process.execPath, [MAIN, '--fault-rate', '1.5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain("option '--fault-rate <r>' argument '1.5' is invalid. expected a number from 0 to 1");
  });
});
