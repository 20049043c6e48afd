import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackFile } from '../../config/stack-file.js';
import { tcpProbe } from '../../stack/probes.js';
import { isolatedStackEnv } from '../../stack/isolated-env.js';
import { eventually } from '../support/eventually.js';

/** Processes whose command line names the stack's state directory: every service of it does. */
function processesOf(home: string): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        return cmdline.includes(home) || environ.includes(`DROVER_HOME=${home}`) ? [`${pid} ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

describe('npm start (the supervisor)', () => {
  it('prints every URL and a ready line, and on SIGTERM stops everything it started', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-supervisor-'));
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'stack', 'main.js')], { env: isolatedStackEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the ready line', () => /ready/.test(out), 180_000);

    const file = JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackFile;
    for (const url of [file.temporal.ui, file.aws.endpoint, file.aws.dynamodbEndpoint!, file.batch.endpoint, file.portal.url]) expect(out).toContain(url);
    expect(out).toContain(file.temporal.address);
    const ports = [file.temporal.address, file.aws.endpoint, file.aws.dynamodbEndpoint!, file.batch.endpoint, file.portal.url].map((u) => Number(u.split(':').pop()));
    for (const port of ports) expect(await tcpProbe(port)()).toBe(true);
    expect(processesOf(home).length).toBeGreaterThanOrEqual(7);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(processesOf(home)).toEqual([]);
    for (const port of ports) expect(await tcpProbe(port)()).toBe(false);
  }, 240_000);
});
