/**
 * RFC 9457 problem details: every error the API answers is `application/problem+json` with a
 * stable `type` (a drover error code, as a URN) and a `detail` a person can act on.
 */
import type { FastifyReply } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  /** `urn:drover:problem:<CODE>`: stable, whatever the wording of `detail`. */
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Extra members, e.g. `errors: [{path, message}]` for refused input. */
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:drover:problem:${code}`;
}

export function problem(status: number, code: string, title: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title, status, detail, ...extensions };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}
