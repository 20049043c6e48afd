/** `/v1/processes/{id}/tasks/{task}/log`: a task's output as text, as `drover task log` prints it; a viewer key. */
import { Type } from '@sinclair/typebox';
import { taskLogText } from '../../control/task-log.js';
import { controlDepsOf } from '../control-deps.js';
import type { ApiApp, ApiDeps } from '../deps.js';
import { requireRole } from '../require-role.js';
import { JobId, ProcessId } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';

export async function taskLogRoutes(app: ApiApp, opts: { deps: ApiDeps }): Promise<void> {
  const deps = controlDepsOf(opts.deps);
  app.get(
    '/processes/:processId/tasks/:task/log',
    {
      preHandler: requireRole('viewer'),
      schema: {
        operationId: 'getTaskLog',
        tags: ['processes'],
        summary: 'A task\'s output (stdout and stderr), as text',
        description: 'Locally from the Batch executor\'s files, on AWS from the job\'s CloudWatch Logs stream. 404 while the task has no log (it has not started).',
        params: Type.Object({ processId: ProcessId, task: JobId }),
        querystring: Type.Object({
          tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Only the last N lines.' })),
          index: Type.Optional(Type.Integer({ minimum: 0, maximum: 9_999, description: 'Child N of an array task.' })),
        }),
        response: { 200: { description: 'The log, one line each', content: { 'text/plain': { schema: Type.String() } } }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { processId, task } = request.params;
      const text = await taskLogText(deps, processId, task, request.query);
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );
}
