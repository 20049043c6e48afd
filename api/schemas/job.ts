/** The catalog as the API gives it. */
import { Type } from '@sinclair/typebox';
import { JobId, Nullable, Timestamp } from './common.js';

export const JobSummarySchema = Type.Object({
  jobId: JobId,
  latestVersion: Type.Integer(),
  name: Type.String(),
  steps: Type.Integer({ description: 'How many steps the latest version has.' }),
  builtIn: Type.Boolean({ description: 'drover\'s own job (credit-check): not changed through the catalog.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** `drover job show --json`'s object, with when the job was retired. */
export const JobVersionSchema = Type.Object({
  jobId: JobId,
  version: Type.Integer(),
  latestVersion: Type.Integer(),
  createdAt: Timestamp,
  retiredAt: Nullable(Timestamp),
  document: Type.Record(Type.String(), Type.Unknown(), { description: 'The job document as it was put.' }),
});

export const JobPutSchema = Type.Object({
  jobId: JobId,
  version: Type.Integer(),
  created: Type.Boolean({ description: 'False when the document equals the latest version, which is kept.' }),
});

export const JobRetiredSchema = Type.Object({ jobId: JobId, retiredAt: Timestamp });
