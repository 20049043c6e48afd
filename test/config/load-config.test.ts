import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadConfigParts } from '../../config/load-config.js';
import { settingsTable, withSettingsTable } from '../../config/settings-table.js';

const home = () => mkdtempSync(join(tmpdir(), 'drover-config-'));

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const config = loadConfig({ env: { DROVER_HOME: home() } });
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.temporal.taskQueue).toBe('drover');
    expect(config.aws.bucket).toBe('drover-input');
    expect(config.aws.tablePrefix).toBe('drover-run-');
    expect(config.batch.chunkSize).toBe(10000);
    // Unset: the fan-out plan chooses them from the budget and Batch's capacity (budget/fan-out-plan.ts).
    expect(config.batch.recordsPerChild).toBeUndefined();
    expect(config.source.childConcurrency).toBeUndefined();
    expect(config.stack.batchVcpus).toBe(4);
    expect(config.batch.childCommand).toEqual(['node', 'dist/workers/child.bundle.js']);
    expect(config.sheet).toEqual({ maxBytes: 100 * 1024 * 1024, maxRows: 1_000_000, maxCellChars: 1000 });
    expect(config.source.url).toBeUndefined();
  });

  it('takes endpoints from stack.json, and the environment over it', () => {
    const dir = home();
    writeFileSync(
      join(dir, 'stack.json'),
      JSON.stringify({
        temporal: { address: '127.0.0.1:17233', namespace: 'ns', ui: 'http://127.0.0.1:18233' },
        aws: { endpoint: 'http://127.0.0.1:14566', region: 'eu-west-1', bucket: 'b', queueUrl: 'http://q' },
        batch: { endpoint: 'http://127.0.0.1:14567', jobQueue: 'jq' },
        portal: { url: 'http://127.0.0.1:14568' },
      }),
    );
    const fromFile = loadConfig({ env: { DROVER_HOME: dir } });
    expect(fromFile.temporal.address).toBe('127.0.0.1:17233');
    expect(fromFile.aws.region).toBe('eu-west-1');
    expect(fromFile.aws.endpoint).toBe('http://127.0.0.1:14566');
    expect(fromFile.batch.jobQueue).toBe('jq');
    expect(fromFile.source.url).toBe('http://127.0.0.1:14568');
    const overridden = loadConfig({ env: { DROVER_HOME: dir, TEMPORAL_ADDRESS: 'temporal.example:7233', TAX_SOURCE_URL: 'https://county.example/' } });
    expect(overridden.temporal.address).toBe('temporal.example:7233');
    expect(overridden.source.url).toBe('https://county.example');
  });

  it('gives a process only the parts it reads, and checks only their settings', () => {
    const env = { DROVER_HOME: home(), TAX_SOURCE_MAX_CONCURRENCY: '20', AWS_REGION: 'eu-north-1', DROVER_PORTAL_PORT: 'not a port' };
    const child = loadConfigParts(['aws', 'source'], { env });
    expect(Object.keys(child).sort()).toEqual(['aws', 'source']);
    expect(child.source.maxConcurrency).toBe(20);
    expect(child.aws.region).toBe('eu-north-1');
    // The same setting stops a process that reads the stack's part, and an unknown name stops any.
    expect(() => loadConfig({ env })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: 'DROVER_PORTAL_PORT="not a port": expected a number' }));
    expect(() => loadConfigParts(['aws'], { env: { ...env, DROVER_CHUNKSIZE: '10' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: 'DROVER_CHUNKSIZE is not a drover setting; the README lists them all' }),
    );
  });

  it('refuses an unknown DROVER_ variable by name', () => {
    expect(() => loadConfig({ env: { DROVER_HOME: home(), DROVER_CHUNKSIZE: '10' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: 'DROVER_CHUNKSIZE is not a drover setting; the README lists them all' }));
  });

  it('refuses values out of range with the setting and the bound', () => {
    expect(() => loadConfig({ env: { DROVER_HOME: home(), DROVER_CHUNK_SIZE: '20000' } })).toThrow('DROVER_CHUNK_SIZE="20000": must be at most 10000');
    expect(() => loadConfig({ env: { DROVER_HOME: home(), SHEET_MAX_ROWS: 'many' } })).toThrow('SHEET_MAX_ROWS="many": expected a number');
    expect(() => loadConfig({ env: { DROVER_HOME: home(), TAX_SOURCE_URL: 'not a url' } })).toThrow('TAX_SOURCE_URL="not a url": not a URL');
    expect(() => loadConfig({ env: { DROVER_HOME: home(), TEMPORAL_TLS_CERT: '/c.pem' } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both or neither' }));
  });
});

describe('the README configuration table', () => {
  it('is the one config/settings.ts makes (npm run docs:config)', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    expect(withSettingsTable(readme)).toBe(readme);
    expect(readme).toContain('| `TAX_SOURCE_URL` | url | (unset) |');
    expect(settingsTable().split('\n').length).toBeGreaterThan(30);
  });
});
