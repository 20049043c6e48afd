/** Every error answer is problem details: the errors routes throw, Fastify's own refusals, and a route that does not exist. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { problemOfError } from './error-problem.js';
import { problem, sendProblem } from './problem.js';

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const { problem: p, unexpected } = problemOfError(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    else if (p.status >= 500) request.log.warn({ err: error }, p.detail);
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', 'Not Found', `there is no route ${request.method} ${request.url.split('?')[0]}: the API's routes are listed at /docs and /openapi.json`)),
  );
}
