import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkParameters, JobDefinitionError, JobParametersError, parseJob, stepEnvironment, type Problem } from '../../catalog/job-definition.js';
import { FIELDS_END, FIELDS_START, jobFieldsTable } from '../../catalog/job-fields-table.js';
import { JobSchema } from '../../catalog/job-schema.js';

/** The example job, as a user writes it. */
const partnerFeeds = () => ({
  id: 'partner-feeds',
  name: 'Import partner job feeds',
  description: "Downloads each partner's feed and loads it",
  parameters: { type: 'object', properties: { date: { type: 'string', format: 'date' } }, required: ['date'] },
  maxConcurrentProcesses: 1,
  notify: { onFailure: ['data-team@example.com'], onSuccess: [] },
  steps: [
    { name: 'download', script: 's3://drover-input/templates/partner-feeds/download.py', modules: ['requests==2.32.3'], vcpus: 1, memoryMiB: 1024, timeoutSeconds: 900, attempts: 3 },
    { name: 'load', command: ['python3', '-c', "print('loaded')"], vcpus: 0.5, memoryMiB: 512, timeoutSeconds: 300, arraySize: 4, env: { TARGET: 'warehouse' } },
  ],
});

function problems(document: unknown): Problem[] {
  try {
    parseJob(document);
  } catch (err) {
    expect(err).toBeInstanceOf(JobDefinitionError);
    expect((err as JobDefinitionError).code).toBe('JOB_INVALID');
    return (err as JobDefinitionError).problems;
  }
  throw new Error('the document was accepted');
}

describe('parseJob', () => {
  it('reads the example job, filling each default and inferring the runtime', () => {
    expect(parseJob(partnerFeeds())).toEqual({
      id: 'partner-feeds',
      name: 'Import partner job feeds',
      description: "Downloads each partner's feed and loads it",
      parameters: { type: 'object', properties: { date: { type: 'string', format: 'date' } }, required: ['date'] },
      maxConcurrentProcesses: 1,
      notify: { onFailure: ['data-team@example.com'], onSuccess: [] },
      steps: [
        { name: 'download', script: 's3://drover-input/templates/partner-feeds/download.py', runtime: 'python3', modules: ['requests==2.32.3'], vcpus: 1, memoryMiB: 1024, timeoutSeconds: 900, attempts: 3, env: {} },
        { name: 'load', command: ['python3', '-c', "print('loaded')"], modules: [], vcpus: 0.5, memoryMiB: 512, timeoutSeconds: 300, attempts: 1, arraySize: 4, env: { TARGET: 'warehouse' } },
      ],
    });
  });

  it('gives a bare job the documented defaults', () => {
    const job = parseJob({ id: 'tiny', name: 'Tiny', steps: [{ name: 'only', script: 's3://drover-input/templates/tiny/run.sh' }] });
    expect(job).toEqual({
      id: 'tiny',
      name: 'Tiny',
      description: '',
      parameters: { type: 'object', additionalProperties: false },
      maxConcurrentProcesses: 1,
      notify: { onFailure: [], onSuccess: [] },
      steps: [{ name: 'only', script: 's3://drover-input/templates/tiny/run.sh', runtime: 'bash', modules: [], vcpus: 1, memoryMiB: 2048, timeoutSeconds: 3600, attempts: 1, env: {} }],
    });
  });

  it('infers node from .js and .mjs, and takes an explicit runtime over the extension', () => {
    const steps = parseJob({
      id: 'rt',
      name: 'Runtimes',
      steps: [
        { name: 'a', script: 's3://drover-input/t/a.js' },
        { name: 'b', script: 's3://drover-input/t/b.mjs' },
        { name: 'c', script: 's3://drover-input/t/c.txt', runtime: 'python3' },
      ],
    }).steps;
    expect(steps.map((s) => s.runtime)).toEqual(['node', 'node', 'python3']);
  });

  it('names the path of every bad field, and refuses unknown keys at every level', () => {
    const doc = partnerFeeds() as Record<string, unknown> & { steps: Record<string, unknown>[] };
    doc.id = 'Partner Feeds';
    doc.owner = 'someone';
    doc.steps[0]!.vcpus = 0.3;
    doc.steps[0]!.memoryMiB = 64;
    doc.steps[1]!.timeoutSeconds = 10;
    doc.steps[1]!.cpu = 2;
    doc.steps[1]!.env = { DROVER_TASK: 'x' };
    expect(problems(doc)).toEqual([
      { path: '/', message: 'must NOT have additional properties: owner' },
      { path: '/id', message: 'must match pattern "^[a-z0-9][a-z0-9-]{0,62}$"' },
      { path: '/steps/0/vcpus', message: 'must be multiple of 0.25' },
      { path: '/steps/0/memoryMiB', message: 'must be >= 128' },
      { path: '/steps/1', message: 'must NOT have additional properties: cpu' },
      { path: '/steps/1/timeoutSeconds', message: 'must be >= 60' },
      { path: '/steps/1/env', message: 'must NOT have additional properties: DROVER_TASK' },
    ]);
  });

  it('wants exactly one of script and command, distinct step names, a runtime it can tell, and a parameter schema that is one', () => {
    expect(
      problems({
        id: 'odd',
        name: 'Odd',
        parameters: { type: 'object', properties: { n: { type: 'integr' } } },
        steps: [
          { name: 'both', script: 's3://drover-input/t/a.py', command: ['true'] },
          { name: 'neither' },
          { name: 'neither', script: 's3://drover-input/t/a.rb' },
          { name: 'cmd', command: ['true'], runtime: 'bash' },
        ],
      }),
    ).toEqual([
      { path: '/steps/2/name', message: 'repeats the step name "neither"' },
      { path: '/steps/0', message: 'must have exactly one of script and command' },
      { path: '/steps/1', message: 'must have exactly one of script and command' },
      { path: '/steps/2/runtime', message: 'is needed: "s3://drover-input/t/a.rb" does not end in .py, .js, .mjs or .sh' },
      { path: '/steps/3/runtime', message: 'applies to a script, not a command' },
      expect.objectContaining({ path: '/parameters/properties/n/type' }),
      expect.objectContaining({ path: '/parameters/properties/n/type' }),
      expect.objectContaining({ path: '/parameters/properties/n/type' }),
    ]);
  });

  it('refuses pip options in modules and a script that is not an s3:// URL', () => {
    const doc = partnerFeeds();
    doc.steps[0]!.modules = ['--index-url=http://127.0.0.1/simple', 'requests==2.32.3'];
    doc.steps[0]!.script = 'https://example.com/download.py';
    expect(problems(doc).map((p) => p.path)).toEqual(['/steps/0/script', '/steps/0/modules/0']);
  });
});

describe('checkParameters', () => {
  it('takes parameters the job schema accepts and names the field of those it refuses', () => {
    const job = parseJob(partnerFeeds());
    expect(checkParameters(job, { date: '2026-12-01' })).toEqual({ date: '2026-12-01' });
    for (const [parameters, expected] of [
      [{ date: '2026-13-01' }, [{ path: '/date', message: 'must match format "date"' }]],
      [{}, [{ path: '/', message: "must have required property 'date'" }]],
    ] as const) {
      let thrown: unknown;
      try {
        checkParameters(job, parameters);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(JobParametersError);
      expect((thrown as JobParametersError).code).toBe('JOB_PARAMETERS_INVALID');
      expect((thrown as JobParametersError).problems).toEqual(expected);
    }
  });

  it('refuses any parameter for a job that declares none', () => {
    const job = parseJob({ id: 'bare', name: 'Bare', steps: [{ name: 's', command: ['true'] }] });
    expect(checkParameters(job, {})).toEqual({});
    expect(() => checkParameters(job, { x: 1 })).toThrow('parameters of bare refused: / must NOT have additional properties: x');
  });
});

describe('stepEnvironment', () => {
  it('gives a step its parameters as one JSON document and one variable each, with the ids', () => {
    expect(stepEnvironment({ processId: 'p-1', jobId: 'partner-feeds', task: 'load' }, { date: '2026-12-01', 'max-rows': 5, tags: ['a'] })).toEqual({
      DROVER_PARAMS: '{"date":"2026-12-01","max-rows":5,"tags":["a"]}',
      DROVER_PROCESS_ID: 'p-1',
      DROVER_JOB_ID: 'partner-feeds',
      DROVER_TASK: 'load',
      DROVER_PARAM_DATE: '2026-12-01',
      DROVER_PARAM_MAX_ROWS: '5',
      DROVER_PARAM_TAGS: '["a"]',
    });
  });
});

describe('catalog/job.schema.json', () => {
  it('is the schema the code validates with (npm run docs:job-schema writes it)', () => {
    const shipped = JSON.parse(readFileSync(join(process.cwd(), 'catalog', 'job.schema.json'), 'utf8')) as Record<string, unknown>;
    const { $schema, ...rest } = shipped;
    expect($schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(rest).toEqual(JSON.parse(JSON.stringify(JobSchema)));
  });
});

describe('the README\'s table of a job\'s fields', () => {
  it('is the one the schema gives (npm run docs:job-schema writes it), with every step field and its default', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(FIELDS_START) + FIELDS_START.length, readme.indexOf(FIELDS_END)).trim();
    expect(block).toBe(jobFieldsTable());
    const row = (field: string) => block.split('\n').find((l) => l.startsWith(`| \`${field}\` |`));
    expect(row('steps[].memoryMiB')).toContain('Default 2048.');
    expect(row('steps[].timeoutSeconds')).toContain('Default 3600.');
    expect(row('steps[].vcpus')).toContain('Default 1.');
    expect(row('steps[].runtime')).toContain('`python3`, `node`, `bash`');
    expect(row('id')).toContain('| yes |');
  });
});
