/**
 * The embedded stack's REST API: started with the late wave, its URL and an admin key made for
 * the stack in stack.json, and a new key at each start on the same DROVER_HOME, the old one revoked.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StackFile } from '../../config/stack-file.js';
import { isolatedStackEnv } from '../../stack/isolated-env.js';
import { startStack, type RunningStack } from '../../stack/stack.js';

async function get(url: string, key?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function keyRows(databaseUrl: string): Promise<Array<{ name: string; role: string; revoked: boolean }>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ name: string; role: string; revoked: boolean }>('select name, role, revoked_at is not null as revoked from api_keys order by name')).rows;
  } finally {
    await client.end();
  }
}

const readFile = (home: string) => JSON.parse(readFileSync(join(home, 'stack.json'), 'utf8')) as StackFile;

describe('the embedded stack\'s REST API', () => {
  it('serves the API with an admin key in stack.json, and makes a new key (the old one revoked) at each start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'drover-stack-api-'));
    const env = isolatedStackEnv(home);
    let running: RunningStack | undefined;
    try {
      const first = (running = await startStack({ root: process.cwd(), env, worker: false, say: () => undefined }));
      const file = readFile(home);
      expect(file.api).toEqual(first.file.api);
      const { url, key } = file.api!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(key).toMatch(/^drover_[A-Za-z0-9_-]{43}$/);
      // It holds an admin key and the database's password: its owner alone reads it.
      expect(statSync(join(home, 'stack.json')).mode & 0o777).toBe(0o600);
      expect(first.services.has('api')).toBe(true);
      // The key is the stack file's alone: no service of the stack is handed it.
      for (const service of first.services.values()) expect(Object.values(service.spec.env)).not.toContain(key);

      expect(await get(`${url}/healthz`)).toMatchObject({ status: 200, body: { ok: true, database: { ok: true }, temporal: { ok: true } } });
      expect((await get(`${url}/v1/jobs`)).status).toBe(401);
      const jobs = await get(`${url}/v1/jobs`, key);
      expect(jobs.status).toBe(200);
      expect((jobs.body as { items: Array<{ jobId: string }> }).items.map((j) => j.jobId)).toContain('credit-check');
      // Admin: the key list is an admin's.
      expect((await get(`${url}/v1/api-keys`, key)).status).toBe(200);
      expect((await get(`${url}/docs`)).status).toBe(200);
      expect(await keyRows(file.database!.url)).toEqual([{ name: 'stack-admin', role: 'admin', revoked: false }]);

      running = undefined;
      await first.stop();

      const second = (running = await startStack({ root: process.cwd(), env, worker: false, say: () => undefined }));
      const again = readFile(home).api!;
      expect(again).toEqual(second.file.api);
      expect(again.key).not.toBe(key);
      expect((await get(`${again.url}/v1/jobs`, again.key)).status).toBe(200);
      expect((await get(`${again.url}/v1/jobs`, key)).status).toBe(401);
      // One row, reused: the old key's hash is gone with it.
      expect(await keyRows(second.file.database!.url)).toEqual([{ name: 'stack-admin', role: 'admin', revoked: false }]);
      running = undefined;
      await second.stop();
    } finally {
      await running?.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
