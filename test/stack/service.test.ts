import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Service } from '../../stack/service.js';

describe('a service of the embedded stack', () => {
  it('says what its process printed when it exits before it answers', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'drover-service-'));
    const service = new Service(
      {
        name: 'doomed',
        command: process.execPath,
        args: ['-e', 'console.error("listen tcp 127.0.0.1:7233: bind: address already in use"); process.exit(1)'],
        env: process.env,
        cwd: logDir,
        probe: async () => false,
      },
      logDir,
      () => undefined,
    );
    const err = await service.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotReadyError', code: 'STACK_NOT_READY' });
    expect((err as Error).message).toContain('doomed exited before it answered; the end of');
    expect((err as Error).message).toContain('bind: address already in use');
    await service.stop();
  });
});
