import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { composeNoticeEmail } from '../../email/compose.js';
import { sendRawEmail } from '../../email/send.js';

/** The project's virtualenv (scripts/ensure.mjs), else the one a bare dev box has. */
const MOTO = [join(process.cwd(), '.venv', 'bin', 'moto_server'), '/tmp/tv/bin/moto_server'].find((p) => existsSync(p)) ?? 'moto_server';

let moto: ChildProcess;
let endpoint: string;
let ses: SESClient;

function startMoto(): Promise<string> {
  return new Promise((resolve, reject) => {
    moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    };
    moto.stdout?.on('data', onData);
    moto.stderr?.on('data', onData);
    moto.on('error', reject);
    moto.on('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${seen}`)));
  });
}

beforeAll(async () => {
  endpoint = await startMoto();
  ses = new SESClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(() => {
  ses?.destroy();
  moto?.kill();
});

interface MotoRawMessage {
  id: string;
  source: string;
  destinations: string[];
  raw_data: string;
}

describe('sendRawEmail', () => {
  it('sends the raw message through SES', async () => {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'reports@example.com' }));
    const raw = await composeNoticeEmail({
      from: 'reports@example.com',
      to: 'owner@example.com',
      runId: 'run-9',
      inputFile: 'ranch.xlsx',
      outcome: 'CANCELLED',
      reason: 'Cancelled by alice',
      uiLink: 'https://temporal.example/runs/run-9',
    });
    const messageId = await sendRawEmail(ses, raw, { from: 'reports@example.com', to: ['owner@example.com'] });
    expect(messageId).toMatch(/^[a-z0-9-]{20,}$/);

    const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as { ses: { RawMessage: MotoRawMessage[] } };
    const sent = data.ses.RawMessage.find((m) => m.id === messageId);
    expect(sent?.source).toBe('reports@example.com');
    expect(sent?.destinations).toContain('owner@example.com');
    expect(sent?.raw_data).toContain('Subject: Credit report for ranch.xlsx (run-9) was cancelled');
    expect(sent?.raw_data).toBe(raw.toString('utf8'));
  });

  it('fails with EmailError when SES refuses the sender', async () => {
    const raw = Buffer.from('From: nobody@example.org\r\nTo: owner@example.com\r\nSubject: x\r\n\r\nx\r\n');
    await expect(sendRawEmail(ses, raw, { from: 'nobody@example.org', to: 'owner@example.com' })).rejects.toMatchObject({
      name: 'EmailError',
      code: 'ERR_EMAIL_SEND',
      message: 'SES refused the email to owner@example.com: Did not have authority to send from email nobody@example.org',
    });
  });
});
