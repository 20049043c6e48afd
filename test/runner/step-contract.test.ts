import { describe, expect, it } from '@jest/globals';
import { parseJob, stepEnvironment } from '../../catalog/job-definition.js';
import { parseStepContract, stepDefinitionEnvironment, withoutStepVariables } from '../../catalog/step-contract.js';
import { loadConfigParts } from '../../config/load-config.js';

function stepOf(step: Record<string, unknown>) {
  return parseJob({ id: 'contract', name: 'Contract', steps: [{ name: 'only', ...step }] }).steps[0]!;
}

/** What parseStepContract throws, as its name, code and message. */
function refusal(env: Record<string, string>): { name: string; code: string; message: string } {
  try {
    parseStepContract(env);
  } catch (error) {
    const { name, code, message } = error as { name: string; code: string; message: string };
    return { name, code, message };
  }
  throw new Error('the contract was accepted');
}

describe('the step contract', () => {
  it('carries a script step to the runner', () => {
    const env = stepDefinitionEnvironment(stepOf({ script: 's3://drover-input/templates/feeds/download.py', modules: ['requests==2.32.3', 'openpyxl==3.1.5'] }));
    expect(env).toEqual({
      DROVER_STEP_SCRIPT: 's3://drover-input/templates/feeds/download.py',
      DROVER_STEP_RUNTIME: 'python3',
      DROVER_STEP_MODULES: '["requests==2.32.3","openpyxl==3.1.5"]',
    });
    expect(parseStepContract(env)).toEqual({
      kind: 'script',
      url: 's3://drover-input/templates/feeds/download.py',
      script: { bucket: 'drover-input', key: 'templates/feeds/download.py' },
      runtime: 'python3',
      modules: ['requests==2.32.3', 'openpyxl==3.1.5'],
    });
  });

  it('carries a command step to the runner, with no modules', () => {
    const env = stepDefinitionEnvironment(stepOf({ command: ['bash', '-c', 'echo "a b"'] }));
    expect(env).toEqual({ DROVER_STEP_COMMAND: '["bash","-c","echo \\"a b\\""]' });
    expect(parseStepContract(env)).toEqual({ kind: 'command', command: ['bash', '-c', 'echo "a b"'], modules: [] });
    expect(parseStepContract({ ...env, DROVER_STEP_MODULES: '[]' })).toEqual({ kind: 'command', command: ['bash', '-c', 'echo "a b"'], modules: [] });
  });

  it('refuses a broken contract with STEP_CONTRACT_INVALID, saying what is wrong', () => {
    const invalid = (message: string) => ({ name: 'StepContractError', code: 'STEP_CONTRACT_INVALID', message });
    expect(refusal({})).toEqual(invalid('set exactly one of DROVER_STEP_SCRIPT and DROVER_STEP_COMMAND'));
    expect(refusal({ DROVER_STEP_SCRIPT: 's3://b/k.py', DROVER_STEP_RUNTIME: 'python3', DROVER_STEP_COMMAND: '["true"]' })).toEqual(
      invalid('set exactly one of DROVER_STEP_SCRIPT and DROVER_STEP_COMMAND'),
    );
    expect(refusal({ DROVER_STEP_SCRIPT: 's3://b/k.rb', DROVER_STEP_RUNTIME: 'ruby' })).toEqual(invalid('DROVER_STEP_RUNTIME="ruby": expected one of python3, node, bash'));
    expect(refusal({ DROVER_STEP_SCRIPT: 'https://b/k.py', DROVER_STEP_RUNTIME: 'python3' })).toEqual(invalid('DROVER_STEP_SCRIPT="https://b/k.py": expected s3://bucket/key'));
    expect(refusal({ DROVER_STEP_COMMAND: 'echo hi' })).toEqual(invalid('DROVER_STEP_COMMAND="echo hi": not JSON'));
    expect(refusal({ DROVER_STEP_COMMAND: '[]' })).toEqual(invalid('DROVER_STEP_COMMAND: the command is empty'));
    expect(refusal({ DROVER_STEP_COMMAND: '["a", 1]' })).toEqual(invalid('DROVER_STEP_COMMAND="[\\"a\\", 1]": expected a JSON array of strings'));
    expect(refusal({ DROVER_STEP_COMMAND: '["true"]', DROVER_STEP_RUNTIME: 'bash' })).toEqual(invalid('DROVER_STEP_RUNTIME applies to a script, not to DROVER_STEP_COMMAND'));
    expect(refusal({ DROVER_STEP_COMMAND: '["true"]', DROVER_STEP_MODULES: '["--index-url=http://x"]' })).toEqual(
      invalid('DROVER_STEP_MODULES: "--index-url=http://x" is not a pip requirement'),
    );
  });

  it('takes the step\'s variables out of what the configuration reads, and nothing else', () => {
    const env = {
      ...stepDefinitionEnvironment(stepOf({ script: 's3://drover-input/t/run.sh', modules: ['six==1.16.0'] })),
      ...stepEnvironment({ processId: 'p-1', jobId: 'contract', task: 'only' }, { date: '2024-03-01', 'max-rows': 10 }),
      DROVER_VENV_CACHE: '/var/cache/venvs',
      AWS_REGION: 'eu-west-1',
      AWS_BATCH_JOB_ARRAY_INDEX: '3',
      PATH: '/usr/bin',
    };
    expect(() => loadConfigParts(['aws', 'runner'], { env, useStackFile: false })).toThrow(/is not a drover setting/);
    const settings = withoutStepVariables(env);
    expect(settings).toEqual({ DROVER_VENV_CACHE: '/var/cache/venvs', AWS_REGION: 'eu-west-1', AWS_BATCH_JOB_ARRAY_INDEX: '3', PATH: '/usr/bin' });
    const config = loadConfigParts(['aws', 'runner'], { env: settings, useStackFile: false });
    expect(config.runner.venvCache).toBe('/var/cache/venvs');
    expect(config.aws.region).toBe('eu-west-1');
  });
});
