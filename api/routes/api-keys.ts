/**
 * `/api-keys` (under `/v1`): admins make, list and revoke the API's keys. A key is shown once,
 * in the answer that makes it; drover keeps only its hash.
 */
import { Type } from '@sinclair/typebox';
import { createApiKey, listApiKeys, revokeApiKey } from '../../ledger/api-keys.js';
import { API_KEY_CACHE_MS } from '../auth.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { problem, sendProblem } from '../problem.js';
import { ROLES } from '../principal.js';
import { requireRole } from '../require-role.js';
import { Nullable, Timestamp } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';

export const KeyName = Type.String({
  pattern: '^(?!anonymous$)[a-z0-9][a-z0-9-]{0,62}$',
  description: 'Lowercase letters, digits and `-`, at most 63, starting with a letter or digit; `anonymous` is what the audit trail calls a request without a key.',
  examples: ['ci-nightly'],
});

export const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: '`viewer` reads; `operator` also fires, cancels and retries processes and triggers schedules; `admin` also changes jobs, schedules and keys.' },
);

const NewKey = Type.Object({
  name: KeyName,
  role: RoleSchema,
  key: Type.String({ description: 'The key: send it as `Authorization: Bearer <key>`. Shown this once; drover keeps only its SHA-256.' }),
});

const KeySummary = Type.Object({
  name: KeyName,
  role: RoleSchema,
  prefix: Type.String({ description: 'The key\'s first characters, to tell keys apart.' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/** `app.register(apiKeyRoutes, { prefix: '/v1', deps })`. */
export async function apiKeyRoutes(app: ApiApp, opts: { deps: Pick<ApiDeps, 'db'> }): Promise<void> {
  const { db } = opts.deps;
  const admin = requireRole('admin');

  app.post(
    '/api-keys',
    {
      preHandler: admin,
      schema: {
        operationId: 'createApiKey',
        tags: ['api-keys'],
        summary: 'Make an API key; the answer shows it, once',
        description: 'The answer holds the key, the only time it is shown: drover keeps only its SHA-256. The name of a revoked key may be given to a new one.',
        body: Type.Object({ name: KeyName, role: RoleSchema }, { additionalProperties: false }),
        response: { 201: NewKey, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { name, role } = request.body;
      request.auditNote = { target: name };
      try {
        const made = await createApiKey(db, { name, role });
        request.auditNote.outcome = `made a ${role} key`;
        // The key is in this body alone: no cache may keep it.
        return await reply.code(201).header('cache-control', 'no-store').send(made);
      } catch (err) {
        if (codeOf(err) === 'LEDGER_CONFLICT') return sendProblem(reply, problem(409, 'API_KEY_NAME_TAKEN', 'Conflict', (err as Error).message));
        throw err;
      }
    },
  );

  app.get(
    '/api-keys',
    {
      preHandler: admin,
      schema: {
        operationId: 'listApiKeys',
        tags: ['api-keys'],
        summary: 'The API keys, revoked ones too, by name',
        description: 'Never a key or its hash: a key is shown only when it is made.',
        response: { 200: Type.Object({ items: Type.Array(KeySummary) }), ...problemResponses(401, 403) },
      },
    },
    async () => {
      const keys = await listApiKeys(db);
      return { items: keys.map((k) => ({ ...k, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) })) };
    },
  );

  app.delete(
    '/api-keys/:name',
    {
      preHandler: admin,
      schema: {
        operationId: 'revokeApiKey',
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        description: `The key stops working at once on the server that answers; another server may take it for up to ${API_KEY_CACHE_MS / 1000} s more, the time it trusts a key it checked. Revoking a revoked key changes nothing.`,
        params: Type.Object({ name: Type.String({ description: 'The key\'s name.' }) }),
        response: { 200: Type.Object({ name: Type.String(), revokedAt: Timestamp }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      try {
        const revoked = await revokeApiKey(db, request.params.name);
        app.forgetApiKey(revoked.name);
        request.auditNote = { outcome: 'revoked' };
        return { name: revoked.name, revokedAt: revoked.revokedAt.toISOString() };
      } catch (err) {
        if (codeOf(err) === 'LEDGER_NOT_FOUND') return sendProblem(reply, problem(404, 'API_KEY_NOT_FOUND', 'Not Found', (err as Error).message));
        throw err;
      }
    },
  );
}
