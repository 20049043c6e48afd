/** `drover api-key create|list|revoke` as a user runs them, against a real PostgreSQL named by DATABASE_URL. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { verifyApiKey } from '../../ledger/api-keys.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;
// A home without a stack.json, so the CLI reads DATABASE_URL and nothing else.
const home = mkdtempSync(join(tmpdir(), 'drover-api-key-cli-'));

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function drover(...args: string[]): Promise<Ran> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: server.url, DROVER_HOME: home };
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), 'dist', 'cli', 'drover.js'), ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const KEY = /^drover_[A-Za-z0-9_-]{43}$/;

describe('drover api-key', () => {
  it('creates a key, prints it once with a warning, and stores only its hash', async () => {
    const ran = await drover('api-key', 'create', 'ci', '--role', 'operator', '--json');
    expect(ran.status).toBe(0);
    const made = JSON.parse(ran.stdout.trim()) as { name: string; role: string; key: string };
    expect(made).toEqual({ name: 'ci', role: 'operator', key: expect.stringMatching(KEY) });
    expect(ran.stderr).toMatch(/shown only now/);
    expect(await verifyApiKey(db, made.key)).toEqual({ keyName: 'ci', role: 'operator' });
    const { rows } = await sql<Record<string, unknown>>`select * from api_keys where name = 'ci'`.execute(db);
    expect(rows[0]!['key_hash']).toBe(sha256(made.key));
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(made.key.slice(15));

    const human = await drover('api-key', 'create', 'ops-person', '--role', 'admin');
    expect(human.status).toBe(0);
    const [title, key, ...rest] = human.stdout.trim().split('\n');
    expect(title).toBe('ops-person (admin)');
    expect(key).toMatch(KEY);
    expect(rest).toEqual([]);
    expect(human.stderr).toMatch(/shown only now/);
    expect(await verifyApiKey(db, key!)).toEqual({ keyName: 'ops-person', role: 'admin' });
  });

  it('refuses a name in use (exit 1), and a bad name or role as bad usage (exit 2)', async () => {
    const again = await drover('api-key', 'create', 'ci', '--role', 'viewer');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('a key named ci exists');
    for (const args of [['Bad_Name', '--role', 'viewer'], ['anonymous', '--role', 'viewer'], ['fine', '--role', 'root'], ['fine']]) {
      const ran = await drover('api-key', 'create', ...args);
      expect({ args, status: ran.status }).toEqual({ args, status: 2 });
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from api_keys where name = 'fine'`.execute(db);
    expect(rows[0]!.n).toBe(0);
  });

  it('lists the keys without their text or hash, and revokes one', async () => {
    const { key } = JSON.parse((await drover('api-key', 'create', 'to-revoke', '--role', 'viewer', '--json')).stdout) as { key: string };
    const listed = await drover('api-key', 'list', '--json');
    expect(listed.status).toBe(0);
    expect(listed.stdout).not.toContain(key.slice(15));
    expect(listed.stdout).not.toContain(sha256(key));
    const keys = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(keys.map((k) => k['name'])).toEqual(['ci', 'ops-person', 'to-revoke']);
    expect(keys[2]).toEqual({ name: 'to-revoke', role: 'viewer', prefix: key.slice(0, 15), createdAt: expect.any(String), lastUsedAt: null, revokedAt: null });

    const revoked = await drover('api-key', 'revoke', 'to-revoke');
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked to-revoke at \d{4}-\d\d-\d\dT/);
    expect(await verifyApiKey(db, key)).toBeUndefined();

    const table = await drover('api-key', 'list');
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ROLE\s+PREFIX\s+CREATED\s+LAST USED\s+STATE$/);
    expect(lines.find((l) => l.startsWith('to-revoke'))).toMatch(new RegExp(`^to-revoke\\s+viewer\\s+${key.slice(0, 15)}…\\s+\\S+\\s+-\\s+revoked \\d{4}-`));
    expect(lines.find((l) => l.startsWith('ci '))).toMatch(/\sactive$/);

    const none = await drover('api-key', 'revoke', 'never-made');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no API key named never-made');
  });
});
