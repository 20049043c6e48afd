/**
 * `npm run docs:job-schema`: writes catalog/job.schema.json and the README's table of a job's
 * fields from the TypeBox definition; tests hold both equal to it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withJobFieldsTable } from './job-fields-table.js';
import { JobSchema } from './job-schema.js';

const path = fileURLToPath(new URL('../../catalog/job.schema.json', import.meta.url));
writeFileSync(path, `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(JobSchema)) }, null, 2)}\n`);
console.log(`wrote ${path}`);
const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
writeFileSync(readme, withJobFieldsTable(readFileSync(readme, 'utf8')));
console.log(`updated the job fields table in ${readme}`);
