import { BatchClientError } from './errors.js';
import type { JobQueueRegistry } from './job-queues.js';
import type { JobStore } from './job-store.js';
import { jobStatus, jobSummary } from './job-view.js';
import { paginate } from './pagination.js';
import { globToRegExp } from './retry-rules.js';
import { arrayField, intField, isObject, requiredString, stringField, stringList, type Fields } from './request-fields.js';
import { JOB_STATUSES, type JobRecord, type JobStatus, type TaskRecord } from './types.js';

interface Row {
  job: JobRecord;
  task?: TaskRecord;
}

/**
 * ListJobs as AWS answers it: the jobs of a queue or the children of an array job,
 * filtered either by `jobStatus` (RUNNING when absent) or, when `filters` is given,
 * by the filters alone (the status is then ignored, as on AWS).
 */
export function listJobs(body: Fields, store: JobStore, queues: JobQueueRegistry): { jobSummaryList: Record<string, unknown>[]; nextToken?: string } {
  const queueRef = stringField(body, 'jobQueue');
  const arrayJobId = stringField(body, 'arrayJobId');
  if (stringField(body, 'multiNodeJobId') !== undefined) throw new BatchClientError('multiNodeJobId is not supported by the local executor');
  if ((queueRef === undefined) === (arrayJobId === undefined)) throw new BatchClientError('Give exactly one of jobQueue or arrayJobId');

  let rows: Row[];
  if (queueRef !== undefined) {
    const queue = queues.resolve(queueRef);
    rows = [...store.all()].filter((job) => job.jobQueueArn === queue.jobQueueArn).map((job) => ({ job }));
  } else {
    const found = store.find(arrayJobId!);
    if (found === undefined || found.task !== undefined || found.job.arraySize === undefined) {
      throw new BatchClientError(`Array job ${arrayJobId} does not exist`);
    }
    rows = found.job.tasks.map((task) => ({ job: found.job, task }));
  }

  const filters = arrayField(body, 'filters');
  if (filters !== undefined && filters.length > 0) {
    for (const [i, filter] of filters.entries()) rows = rows.filter(filterOf(filter, i));
  } else {
    const status = stringField(body, 'jobStatus') ?? 'RUNNING';
    if (!(JOB_STATUSES as readonly string[]).includes(status)) {
      throw new BatchClientError(`jobStatus must be one of ${JOB_STATUSES.join(', ')}, got ${status}`);
    }
    rows = rows.filter((row) => statusOf(row) === status);
  }
  const { page, nextToken } = paginate(rows, intField(body, 'maxResults', 1, 1000), stringField(body, 'nextToken'), 100);
  const jobSummaryList = page.map((row) => jobSummary(row.job, row.task));
  return nextToken === undefined ? { jobSummaryList } : { jobSummaryList, nextToken };
}

function statusOf(row: Row): JobStatus {
  return row.task ? row.task.status : jobStatus(row.job);
}

function filterOf(filter: unknown, i: number): (row: Row) => boolean {
  const where = `filters[${i}]`;
  if (!isObject(filter)) throw new BatchClientError(`${where} must be an object`);
  const name = requiredString(filter, 'name', `${where}.name`);
  const value = stringList(filter, 'values', `${where}.values`)?.[0];
  if (value === undefined) throw new BatchClientError(`${where}.values needs one value`);
  switch (name) {
    case 'JOB_NAME': {
      const pattern = globToRegExp(value);
      return (row) => pattern.test(row.job.jobName);
    }
    case 'JOB_DEFINITION': {
      // A name, name:revision or ARN; a bare name matches every revision.
      const pattern = value.startsWith('arn:') ? globToRegExp(value) : globToRegExp(value.includes(':') ? `*/${value}` : `*/${value}:*`);
      return (row) => pattern.test(row.job.jobDefinitionArn);
    }
    case 'BEFORE_CREATED_AT':
    case 'AFTER_CREATED_AT': {
      const at = Number(value);
      if (!Number.isFinite(at)) throw new BatchClientError(`${where}.values[0] must be epoch milliseconds, got ${value}`);
      return name === 'BEFORE_CREATED_AT' ? (row) => row.job.createdAt < at : (row) => row.job.createdAt > at;
    }
    default:
      throw new BatchClientError(`${where}.name ${name} is not one of JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT`);
  }
}
