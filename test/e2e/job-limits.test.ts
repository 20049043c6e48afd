import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Ledger } from '../../ledger/connect.js';
import { fireProcess, ledgerOf, settled } from '../support/processes.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let db: Ledger;
const venvs = mkdtempSync(join(tmpdir(), 'drover-venvs-'));

beforeAll(async () => {
  stack = await startTestStack({ env: { DROVER_VENV_CACHE: venvs } });
  db = ledgerOf(stack);
}, 240_000);

afterAll(async () => {
  await db?.destroy();
  await stack?.close();
});

describe('a step held to its resources, and its modules', () => {
  it('kills a step over its memory with Batch\'s reason', async () => {
    const pid = await fireProcess(stack, db, {
      id: 'too-big',
      name: 'Too big',
      steps: [{ name: 'grow', command: ['python3', '-c', 'import time; b = bytearray(400 * 1024 * 1024); time.sleep(60)'], memoryMiB: 128 }],
    });
    const p = await settled(stack, db, pid);
    expect(p).toMatchObject({ status: 'FAILED', failedTask: 'grow' });
    expect(p.reason).toContain('OutOfMemoryError: Container killed due to memory usage');
    expect(p.tasks![0]).toMatchObject({ status: 'FAILED', exitCode: 137 });
  }, 180_000);

  it('kills a step past its timeout with Batch\'s reason', async () => {
    const pid = await fireProcess(stack, db, {
      id: 'too-slow',
      name: 'Too slow',
      // 60 s is the shortest timeout Batch takes.
      steps: [{ name: 'crawl', command: ['sleep', '600'], timeoutSeconds: 60 }, { name: 'never', command: ['true'] }],
    });
    const p = await settled(stack, db, pid);
    expect(p).toMatchObject({ status: 'FAILED', failedTask: 'crawl' });
    expect(p.reason).toContain('Job attempt duration exceeded timeout');
    expect(p.tasks!.map((t) => t.status)).toEqual(['FAILED', 'SKIPPED']);
    const ran = Date.parse(p.tasks![0]!.finishedAt!) - Date.parse(p.tasks![0]!.startedAt!);
    expect(ran).toBeGreaterThanOrEqual(60_000);
  }, 240_000);

  it('installs a step\'s modules into a virtualenv once, and reuses it', async () => {
    const key = 'templates/uses-six/1/uses_six.py';
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.config.aws.bucket, Key: key, Body: 'import six, os\nprint("six", six.__version__, "for", os.environ["DROVER_PARAM_WHO"])\n' }));
    const document = {
      id: 'uses-six',
      name: 'Uses six',
      parameters: { type: 'object', properties: { who: { type: 'string' } } },
      steps: [{ name: 'run', script: `s3://${stack.config.aws.bucket}/${key}`, modules: ['six==1.16.0'] }],
    };
    const first = await settled(stack, db, await fireProcess(stack, db, document, { who: 'first' }));
    const second = await settled(stack, db, await fireProcess(stack, db, document, { who: 'second' }));
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const firstLog = readFileSync(first.tasks![0]!.log!, 'utf8');
    const secondLog = readFileSync(second.tasks![0]!.log!, 'utf8');
    expect(firstLog).toContain('six 1.16.0 for first');
    expect(secondLog).toContain('six 1.16.0 for second');
    expect(firstLog).toMatch(/built in/);
    expect(secondLog).toMatch(/cached/);
    expect(secondLog).not.toMatch(/Successfully installed/);
    expect(readdirSync(venvs).filter((d) => !d.startsWith('.'))).toHaveLength(1);
  }, 240_000);
});
