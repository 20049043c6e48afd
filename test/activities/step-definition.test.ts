import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeJobDefinitionsCommand } from '@aws-sdk/client-batch';
import { stepDefinitionActivity, stepDefinitionName } from '../../activities/step-definition.js';
import { parseJob, type Step } from '../../catalog/job-definition.js';
import { loadConfig } from '../../config/load-config.js';
import { startHarness, type Harness } from '../batch/batch-helpers.js';

let batch: Harness;
let ensure: ReturnType<typeof stepDefinitionActivity>;

beforeAll(async () => {
  batch = await startHarness();
  const config = loadConfig({ env: {}, useStackFile: false });
  ensure = stepDefinitionActivity({ aws: { batch: batch.client } as never, config });
});

afterAll(async () => {
  await batch?.close();
});

const stepOf = (overrides: Record<string, unknown> = {}): Step =>
  parseJob({ id: 'feeds', name: 'Feeds', steps: [{ name: 'load', script: 's3://drover-input/templates/feeds/1/load.py', modules: ['six==1.16.0'], vcpus: 0.5, memoryMiB: 512, timeoutSeconds: 300, attempts: 3, env: { TARGET: 'warehouse' }, ...overrides }] }).steps[0]!;

async function revisions(name: string) {
  const out = await batch.client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name }));
  return out.jobDefinitions ?? [];
}

describe('a step\'s job definition', () => {
  it('is registered once per job version and step, with the step\'s resources, and reused while the same', async () => {
    const input = { jobId: 'feeds', version: 3, step: stepOf() };
    const first = await ensure(input);
    expect(await ensure(input)).toBe(first);
    expect(first).toMatch(/job-definition\/drover-step-feeds-v3-load:1$/);
    const [definition] = await revisions('drover-step-feeds-v3-load');
    expect(definition).toMatchObject({
      retryStrategy: { attempts: 3 },
      timeout: { attemptDurationSeconds: 300 },
      containerProperties: {
        command: ['node', 'dist/runner/fetch-and-run.js'],
        resourceRequirements: [{ type: 'VCPU', value: '0.5' }, { type: 'MEMORY', value: '512' }],
      },
    });
    const env = Object.fromEntries((definition!.containerProperties!.environment ?? []).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      TARGET: 'warehouse',
      DROVER_BUCKET: 'drover-input',
      DROVER_STEP_SCRIPT: 's3://drover-input/templates/feeds/1/load.py',
      DROVER_STEP_RUNTIME: 'python3',
      DROVER_STEP_MODULES: '["six==1.16.0"]',
    });
  });

  it('gets a new revision when the step changes, and another name for another version', async () => {
    const changed = await ensure({ jobId: 'feeds', version: 3, step: stepOf({ memoryMiB: 1024 }) });
    expect(changed).toMatch(/drover-step-feeds-v3-load:2$/);
    expect(await ensure({ jobId: 'feeds', version: 3, step: stepOf({ memoryMiB: 1024 }) })).toBe(changed);
    expect(await ensure({ jobId: 'feeds', version: 4, step: stepOf() })).toMatch(/drover-step-feeds-v4-load:1$/);
    expect(await revisions('drover-step-feeds-v3-load')).toHaveLength(2);
  });

  it('runs a command without modules as itself, and one with modules through the runner', async () => {
    const bare = await ensure({ jobId: 'feeds', version: 5, step: stepOf({ script: undefined, modules: undefined, command: ['sleep', '5'] }) });
    const [bareDefinition] = await revisions(bare.split('/').at(-1)!.split(':')[0]!);
    expect(bareDefinition?.containerProperties?.command).toEqual(['sleep', '5']);
    const withModules = await ensure({ jobId: 'feeds', version: 6, step: stepOf({ script: undefined, command: ['python3', '-c', 'import six'] }) });
    const [runnerDefinition] = await revisions(withModules.split('/').at(-1)!.split(':')[0]!);
    expect(runnerDefinition?.containerProperties?.command).toEqual(['node', 'dist/runner/fetch-and-run.js']);
  });

  it('keeps a long name within Batch\'s 128 characters, still unique', () => {
    const long = 'j'.repeat(63);
    const a = stepDefinitionName({ jobId: long, version: 1, step: { ...stepOf(), name: 's'.repeat(63) } });
    const b = stepDefinitionName({ jobId: long, version: 2, step: { ...stepOf(), name: 's'.repeat(63) } });
    expect(a.length).toBeLessThanOrEqual(128);
    expect(a).not.toBe(b);
  });
});
