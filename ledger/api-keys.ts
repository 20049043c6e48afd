/**
 * The REST API's keys. A key is `drover_` and 32 random bytes in base64url: shown once, when it
 * is made, and stored only as its SHA-256, so neither the database nor its backups can be
 * used to call the API. The key's first characters are kept as its prefix, which tells keys
 * apart in a list without being enough to use one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ledger } from './connect.js';
import { errorWithCode } from '../errors/drover-error.js';
import { LedgerConflictError, LedgerNotFoundError } from './errors.js';

/** The API's roles, lowest first (api/principal.ts ranks them; the table's check lists them). */
export const API_KEY_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** A key's name: what the audit trail and `triggeredBy: "api:<name>"` show. */
export const API_KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** What the audit trail calls a request without a key; no key may be named so. */
export const ANONYMOUS = 'anonymous';

const KEY_PREFIX = 'drover_';
const KEY_BYTES = 32;
/** `drover_` and the 43 base64url characters of 32 bytes: anything else is not a key, and costs no query. */
export const API_KEY_PATTERN = /^drover_[A-Za-z0-9_-]{43}$/;
/** `drover_` and the first 8 random characters: 48 bits, enough to tell keys apart, far too few to guess the other 208. */
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;
/** last_used_at is written at most this often per key, so verifying a key is a read, not a write per request. */
const LAST_USED_RESOLUTION = '1 minute';

export interface KeyHolder {
  keyName: string;
  role: ApiKeyRole;
}

export interface NewApiKey {
  name: string;
  role: ApiKeyRole;
  /** The key itself: shown this once, never stored. */
  key: string;
}

export interface ApiKeySummary {
  name: string;
  role: ApiKeyRole;
  /** The key's first characters (`drover_` and 8 more), to tell keys apart. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A name or role no key can have: the CLI and the API check both first, so this is a backstop. */
export class ApiKeyInvalidError extends errorWithCode('ApiKeyInvalidError', 'API_KEY_INVALID') {}

/**
 * Makes a key named `name` with `role` and returns it, the only time its text exists. A name
 * held by a key not revoked is refused (LedgerConflictError). The name of a revoked key may be
 * given to a new key: its row is reused, so the audit trail's older rows under that name
 * belong to the old key (they are older than the new key's `createdAt`).
 */
export async function createApiKey(db: Ledger, { name, role }: { name: string; role: ApiKeyRole }): Promise<NewApiKey> {
  if (!API_KEY_NAME_PATTERN.test(name) || name === ANONYMOUS) {
    throw new ApiKeyInvalidError(`"${name}" cannot name a key: lowercase letters, digits and "-", at most 63, starting with a letter or digit, and not "${ANONYMOUS}"`);
  }
  if (!(API_KEY_ROLES as readonly string[]).includes(role)) throw new ApiKeyInvalidError(`"${role}" is not a role: ${API_KEY_ROLES.join(', ')}`);
  const key = KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
  const values = { name, role, key_hash: hashApiKey(key), key_prefix: key.slice(0, SHOWN_PREFIX_LENGTH) };
  const stored = await db
    .insertInto('api_keys')
    .values(values)
    .onConflict((c) =>
      c
        .column('name')
        .doUpdateSet({ role, key_hash: values.key_hash, key_prefix: values.key_prefix, created_at: sql`now()`, last_used_at: null, revoked_at: null })
        .where('api_keys.revoked_at', 'is not', null),
    )
    .returning('name')
    .executeTakeFirst();
  if (!stored) throw new LedgerConflictError(`a key named ${name} exists; revoke it first or choose another name`);
  return { name, role, key };
}

/**
 * The holder of `key` when it is a key not revoked, else undefined. The lookup is by the key's
 * hash, so no comparison ever runs on the key's text: whatever an index scan's timing tells
 * about how far a guessed hash matched a stored one does not help find a key that has that
 * hash (SHA-256 has no known preimage shortcut), so a constant-time compare would protect nothing.
 * last_used_at is written only when a minute has passed since it was last written.
 */
export async function verifyApiKey(db: Ledger, key: string): Promise<KeyHolder | undefined> {
  if (!API_KEY_PATTERN.test(key)) return undefined;
  const row = await db
    .selectFrom('api_keys')
    .select(['name', 'role', sql<boolean>`last_used_at is null or last_used_at < now() - ${LAST_USED_RESOLUTION}::interval`.as('stale')])
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.stale) {
    // The condition again: of several servers that found it stale at once, one writes.
    await db
      .updateTable('api_keys')
      .set({ last_used_at: sql`now()` })
      .where('name', '=', row.name)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - ${LAST_USED_RESOLUTION}::interval`)]))
      .execute();
  }
  return { keyName: row.name, role: row.role };
}

/** Every key, revoked ones too, by name; never a hash. */
export async function listApiKeys(db: Ledger): Promise<ApiKeySummary[]> {
  const rows = await db.selectFrom('api_keys').select(['name', 'role', 'key_prefix', 'created_at', 'last_used_at', 'revoked_at']).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, role: r.role, prefix: r.key_prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

/**
 * Revokes the key named `name`: it stops working (at once here, within api/auth.ts's cache
 * time on a server that verified it just before). Revoking a revoked key changes nothing and
 * returns when it was revoked; no key of that name: LedgerNotFoundError.
 */
export async function revokeApiKey(db: Ledger, name: string): Promise<{ name: string; revokedAt: Date }> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where('name', '=', name)
    .returning(['name', 'revoked_at'])
    .executeTakeFirst();
  if (!row) throw new LedgerNotFoundError(`no API key named ${name}`);
  return { name: row.name, revokedAt: row.revoked_at! };
}
