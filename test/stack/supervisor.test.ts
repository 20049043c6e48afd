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
    // The database's URL without its password, which stays in stack.json.
    const database = new URL(file.database!.url);
    expect(out).toContain(`postgres://drover@127.0.0.1:${database.port}/drover`);
    expect(out).not.toContain(database.password);
    // The API and its Swagger UI; the stack's admin key stays in stack.json too.
    expect(out).toContain(`api        ${file.api!.url} (docs ${file.api!.url}/docs`);
    expect(out).not.toContain(file.api!.key);
    const ports = [file.temporal.address, file.aws.endpoint, file.aws.dynamodbEndpoint!, file.batch.endpoint, file.portal.url, file.api!.url].map((u) => Number(u.split(':').pop()));
    ports.push(Number(database.port));
    for (const port of ports) expect(await tcpProbe(port)()).toBe(true);
    expect(processesOf(home).length).toBeGreaterThanOrEqual(8);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(processesOf(home)).toEqual([]);
    for (const port of ports) expect(await tcpProbe(port)()).toBe(false);
  }, 240_000);

  it('leaves no PostgreSQL behind when it is killed without a chance to stop anything', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-supervisor-'));
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'stack', 'main.js')], { env: isolatedStackEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const postgres = () => processesOf(home).filter((p) => p.includes(`-D ${join(home, 'postgres')}`));
    try {
      await eventually('the ready line', () => /ready/.test(out), 180_000);
      const port = Number(new URL((JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackFile).database!.url).port);
      expect(postgres()).toHaveLength(1);

      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await eventually('PostgreSQL to stop', () => postgres().length === 0 && processesOf(home).every((p) => !p.includes('postgres')), 60_000);
      expect(await tcpProbe(port)()).toBe(false);
    } finally {
      // The other services outlive a killed supervisor: this test started them, so it ends them.
      child.kill('SIGKILL');
      for (const line of processesOf(home)) {
        try {
          process.kill(Number(line.split(' ')[0]), 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
  }, 240_000);
});
