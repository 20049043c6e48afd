import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESS_ID_PATTERN } from '../../contracts/job-process.js';
import { processParameters } from '../../cli/params.js';
import { newProcessId } from '../../control/process-id.js';
import { thrown } from '../support/thrown.js';

const schema = { type: 'object', properties: { date: { type: 'string' }, code: { type: ['string', 'null'] }, rows: { type: 'integer' } } };

describe('processParameters', () => {
  it('keeps a value a string where the schema says string, reads JSON elsewhere, and a string when it is not JSON', () => {
    expect(processParameters(schema, { params: ['date=2024-01-31', 'code=007', 'rows=5', 'flags=[1,2]', 'note=hello world', 'empty='] })).toEqual({
      date: '2024-01-31',
      code: '007',
      rows: 5,
      flags: [1, 2],
      note: 'hello world',
      empty: '',
    });
    expect(processParameters(schema, { params: ['date=1'] })).toEqual({ date: '1' });
    expect(processParameters({ type: 'object' }, { params: ['date=1', 'eq=a=b'] })).toEqual({ date: 1, eq: 'a=b' });
  });

  it('lays --param over the params file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'drover-params-')), 'p.json');
    writeFileSync(file, JSON.stringify({ date: '2000-01-01', rows: 1 }));
    expect(processParameters(schema, { paramsFile: file, params: ['rows=2'] })).toEqual({ date: '2000-01-01', rows: 2 });
    writeFileSync(file, '[1]');
    expect(thrown(() => processParameters(schema, { paramsFile: file, params: [] }))).toMatchObject({ code: 'CLI_BAD_INPUT', message: `--params-file ${file} must hold a JSON object of parameters` });
  });

  it('refuses a --param without a name', () => {
    for (const bad of ['rows', '=5']) expect(thrown(() => processParameters(schema, { params: [bad] }))).toMatchObject({ code: 'CLI_BAD_INPUT', message: `--param ${JSON.stringify(bad)}: expected NAME=VALUE` });
  });
});

describe('newProcessId', () => {
  it('is the job id, the UTC second and 6 hex digits', () => {
    const id = newProcessId('nightly-load', new Date('2024-02-29T07:08:09.999Z'), () => '0a1b2c');
    expect(id).toBe('nightly-load-20240229-070809-0a1b2c');
    expect(newProcessId('a'.repeat(63))).toMatch(PROCESS_ID_PATTERN);
  });
});
