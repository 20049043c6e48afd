/** API keys and the audit trail in the ledger, on a real PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from '../../ledger/api-keys.js';
import { listAudit, recordAudit } from '../../ledger/audit.js';
import { openLedger, type Ledger } from '../../ledger/connect.js';
import { migrateToLatest } from '../../ledger/migrate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let db: Ledger;

beforeAll(async () => {
  server = await startPostgres();
  db = openLedger(server.url);
  await migrateToLatest(db);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('API keys', () => {
  it('makes a random key, keeps only its hash, and knows it by it', async () => {
    const made = await createApiKey(db, { name: 'ci', role: 'operator' });
    expect(made).toEqual({ name: 'ci', role: 'operator', key: expect.stringMatching(/^drover_[A-Za-z0-9_-]{43}$/) });
    const other = await createApiKey(db, { name: 'ci-2', role: 'viewer' });
    expect(other.key).not.toBe(made.key);

    const { rows } = await sql<Record<string, unknown>>`select * from api_keys where name = 'ci'`.execute(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!['key_hash']).toBe(sha256(made.key));
    expect(rows[0]!['key_prefix']).toBe(made.key.slice(0, 15));
    // No column holds the key or its random part.
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(made.key.slice(15));

    expect(await verifyApiKey(db, made.key)).toEqual({ keyName: 'ci', role: 'operator' });
    expect(await verifyApiKey(db, `${made.key.slice(0, -1)}${made.key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await verifyApiKey(db, 'not-a-key')).toBeUndefined();
  });

  it('writes last_used_at once a minute, not on every use', async () => {
    const { key } = await createApiKey(db, { name: 'busy', role: 'viewer' });
    const lastUsed = async () => (await db.selectFrom('api_keys').select('last_used_at').where('name', '=', 'busy').executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();
    await verifyApiKey(db, key);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await verifyApiKey(db, key);
    expect(await lastUsed()).toEqual(first);
    // A minute later (moved back rather than waited for), the next use writes it.
    await sql`update api_keys set last_used_at = now() - interval '61 seconds' where name = 'busy'`.execute(db);
    const old = await lastUsed();
    await verifyApiKey(db, key);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(old!.getTime());
  });

  it('refuses a name in use, a bad name and an unknown role', async () => {
    await createApiKey(db, { name: 'taken', role: 'admin' });
    await expect(createApiKey(db, { name: 'taken', role: 'viewer' })).rejects.toMatchObject({ code: 'LEDGER_CONFLICT' });
    await expect(createApiKey(db, { name: 'Bad Name', role: 'viewer' })).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    await expect(createApiKey(db, { name: 'anonymous', role: 'viewer' })).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    await expect(createApiKey(db, { name: 'ok', role: 'root' as 'admin' })).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    // The table refuses them too, whoever writes it.
    await expect(sql`insert into api_keys (name, role, key_hash, key_prefix) values ('anonymous', 'viewer', ${sha256('x')}, 'x')`.execute(db)).rejects.toThrow(/api_keys_name_check/);
    await expect(sql`insert into api_keys (name, role, key_hash, key_prefix) values ('x', 'root', ${sha256('x')}, 'x')`.execute(db)).rejects.toThrow(/api_keys_role_check/);
  });

  it('revokes a key: it stops working, its name may be given to a new key', async () => {
    const old = await createApiKey(db, { name: 'rotate', role: 'admin' });
    const revoked = await revokeApiKey(db, 'rotate');
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await verifyApiKey(db, old.key)).toBeUndefined();
    // Again: nothing changes.
    expect(await revokeApiKey(db, 'rotate')).toEqual(revoked);
    await expect(revokeApiKey(db, 'never-made')).rejects.toMatchObject({ code: 'LEDGER_NOT_FOUND' });

    const listedRevoked = (await listApiKeys(db)).find((k) => k.name === 'rotate');
    expect(listedRevoked).toMatchObject({ role: 'admin', revokedAt: revoked.revokedAt });

    const renewed = await createApiKey(db, { name: 'rotate', role: 'viewer' });
    expect(await verifyApiKey(db, renewed.key)).toEqual({ keyName: 'rotate', role: 'viewer' });
    expect(await verifyApiKey(db, old.key)).toBeUndefined();
    expect((await listApiKeys(db)).find((k) => k.name === 'rotate')).toMatchObject({ role: 'viewer', revokedAt: null, lastUsedAt: expect.any(Date), prefix: renewed.key.slice(0, 15) });
  });

  it('lists keys by name and never a hash', async () => {
    const listed = await listApiKeys(db);
    expect(listed.map((k) => k.name)).toEqual([...listed.map((k) => k.name)].sort());
    for (const k of listed) expect(Object.keys(k).sort()).toEqual(['createdAt', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'role']);
  });
});

describe('the audit trail', () => {
  it('pages newest first, a page starting after the last row of the page before, optionally for one key', async () => {
    for (let i = 1; i <= 7; i++) {
      await recordAudit(db, { keyName: i % 2 ? 'odd' : 'even', method: 'POST', route: '/v1/things/:id', target: `t-${i}`, status: 200, outcome: `ok ${i}` });
    }
    const first = await listAudit(db, { limit: 3 });
    expect(first.items.map((e) => e.target)).toEqual(['t-7', 't-6', 't-5']);
    expect(first.next).toBe(first.items[2]!.id);
    const second = await listAudit(db, { limit: 3, after: first.next! });
    expect(second.items.map((e) => e.target)).toEqual(['t-4', 't-3', 't-2']);
    const last = await listAudit(db, { limit: 3, after: second.next! });
    expect(last.items.map((e) => e.target)).toEqual(['t-1']);
    expect(last.next).toBeNull();
    expect(first.items[0]).toEqual({ id: expect.any(Number), at: expect.any(Date), keyName: 'odd', method: 'POST', route: '/v1/things/:id', target: 't-7', status: 200, outcome: 'ok 7' });

    const odd = await listAudit(db, { keyName: 'odd' });
    expect(odd.items.map((e) => e.target)).toEqual(['t-7', 't-5', 't-3', 't-1']);
  });

  it('cuts a long outcome', async () => {
    await recordAudit(db, { keyName: 'long', method: 'DELETE', route: '/v1/x', status: 500, outcome: 'x'.repeat(2000) });
    const [row] = (await listAudit(db, { keyName: 'long' })).items;
    expect(row!.outcome).toHaveLength(500);
    expect(row!.target).toBeNull();
  });
});
