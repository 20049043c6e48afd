/** Who calls the API: the API key's name and its role. Set on the request by the key check (api/auth.ts). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** viewer reads; operator also fires, cancels and retries processes and triggers schedules; admin also changes jobs, schedules and keys. */
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export interface Principal {
  keyName: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once its key has been checked; undefined on the open routes. */
    principal?: Principal;
  }
}
