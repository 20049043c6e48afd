/** `npm run docs:job-schema`: writes catalog/job.schema.json from the TypeBox definition, which a test holds them equal to. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JobSchema } from './job-schema.js';

const path = fileURLToPath(new URL('../../catalog/job.schema.json', import.meta.url));
writeFileSync(path, `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(JobSchema)) }, null, 2)}\n`);
console.log(`wrote ${path}`);
