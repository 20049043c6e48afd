/** A process and its tasks as the API gives them: the object `drover process show --json` prints (ledger ProcessView). */
import { Type } from '@sinclair/typebox';
import { PROCESS_STATUSES, TASK_STATUSES } from '../../ledger/tables.js';
import { AnyObject, JobId, Nullable, ProcessId, Timestamp } from './common.js';

export const Usage = Type.Object(
  {
    vcpuSeconds: Type.Number(),
    gibSeconds: Type.Number(),
    estimatedUsd: Type.Number({ description: 'What that is estimated to cost at DROVER_PRICE_VCPU_HOUR and DROVER_PRICE_GIB_HOUR, to the micro-dollar.' }),
  },
  { description: 'vCPU-seconds and GiB-seconds the work used (an array job\'s: all its children\'s, every attempt), and their estimated cost in USD.' },
);

export const ProcessStatus = Type.Union(PROCESS_STATUSES.map((s) => Type.Literal(s)));
export const TaskStatus = Type.Union(TASK_STATUSES.map((s) => Type.Literal(s)));

export const TaskSchema = Type.Object({
  name: Type.String(),
  status: TaskStatus,
  attempts: Type.Integer(),
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  batchJobId: Nullable(Type.String()),
  exitCode: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
  arraySize: Nullable(Type.Integer()),
  usage: Usage,
  log: Nullable(Type.String({ description: 'Where the output is: a file of the local executor, or a CloudWatch Logs stream.' })),
  detail: Nullable(AnyObject),
});

export const ProcessSchema = Type.Object({
  processId: ProcessId,
  jobId: JobId,
  version: Type.Integer(),
  status: ProcessStatus,
  attempt: Type.Integer(),
  triggeredBy: Type.String({ description: '`cli:<user>`, `s3:<key>`, `api:<key name>`, `schedule:<id>`.' }),
  parameters: AnyObject,
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  failedTask: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  usage: Usage,
  tasks: Type.Optional(Type.Array(TaskSchema, { description: 'In the job\'s order; left out of lists.' })),
});

export const RetryStartedSchema = Type.Object({
  processId: ProcessId,
  attempt: Type.Integer({ description: 'The attempt now starting.' }),
  resumeFrom: Type.String({ description: 'The task it starts from: the first that did not succeed.' }),
});
