/** `/v1/processes/{id}/cancel` and `/retry`, as the CLI's `process cancel` and `process retry`: an operator key. */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { cancelProcess } from '../../control/cancel-process.js';
import { retryProcess } from '../../control/retry-process.js';
import { pricedProcess } from '../../control/usage.js';
import { controlDepsOf } from '../control-deps.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { requireRole } from '../require-role.js';
import { ProcessId } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';
import { ProcessSchema, RetryStartedSchema } from '../schemas/process.js';

/** A POST whose body is optional: none is `{}`, so a bare `POST .../cancel` works. */
async function emptyBodyIsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

export async function processActionRoutes(app: ApiApp, opts: { deps: ApiDeps }): Promise<void> {
  const deps = controlDepsOf(opts.deps);
  const params = Type.Object({ processId: ProcessId });

  app.post(
    '/processes/:processId/cancel',
    {
      preHandler: requireRole('operator'),
      preValidation: emptyBodyIsObject,
      schema: {
        operationId: 'cancelProcess',
        tags: ['processes'],
        summary: 'Cancel a process: its running step\'s Batch job is terminated and the rest are not run',
        description: 'Answers 202 with the process as it is when the cancel is requested; it ends CANCELLED once its running step has stopped. A process that has ended is 409.',
        params,
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Why: recorded on the workflow with who asked, and quoted in the notice.' })) }, { additionalProperties: false }),
        response: { 202: ProcessSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const view = await cancelProcess(deps, request.params.processId, { identity: `api:${request.principal!.keyName}`, ...(request.body.reason !== undefined ? { reason: request.body.reason } : {}) });
      return reply.code(202).send(pricedProcess(view, opts.deps.config.prices));
    },
  );

  app.post(
    '/processes/:processId/retry',
    {
      preHandler: requireRole('operator'),
      preValidation: emptyBodyIsObject,
      schema: {
        operationId: 'retryProcess',
        tags: ['processes'],
        summary: 'Run a FAILED or CANCELLED process again from its first task that did not succeed',
        description: 'The next attempt of the same process, with the same id. Answers 202; any other state is 409.',
        params,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 202: RetryStartedSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(202).header('location', `/v1/processes/${request.params.processId}`).send(await retryProcess(deps, request.params.processId)),
  );
}
