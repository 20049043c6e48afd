import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';
import { roleAllows, type Role } from './principal.js';

/** A route's preHandler: 401 without a known key, 403 when the key's role is below `role`. */
export function requireRole(role: Role) {
  return async function checkRole(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const who = request.principal;
    if (!who) {
      await sendProblem(reply.header('www-authenticate', 'Bearer'), problem(401, 'API_KEY_MISSING', 'Unauthorized', 'send an API key: Authorization: Bearer <key> (drover api-key create NAME --role R makes one)'));
      return;
    }
    if (!roleAllows(who.role, role)) {
      await sendProblem(reply, problem(403, 'API_ROLE_FORBIDDEN', 'Forbidden', `the key ${who.keyName} is a ${who.role} key; this needs ${role}`));
    }
  };
}
