import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { composeNoticeEmail } from '../../email/compose.js';
import { sendRawEmail } from '../../email/send.js';
import { startMoto, type Moto } from '../support/moto.js';

let moto: Moto;
let endpoint: string;
let ses: SESClient;

beforeAll(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
  ses = new SESClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  ses?.destroy();
  await moto?.close();
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
      code: 'EMAIL_SEND',
      message: 'SES refused the email to owner@example.com: Did not have authority to send from email nobody@example.org',
    });
  });
});
