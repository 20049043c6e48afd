import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../stack/free-port.js';
import { httpProbe } from '../../stack/probes.js';
import { Service } from '../../stack/service.js';
import { venvBin } from '../../stack/venv.js';

/** A moto server of its own on a free port: only the AWS emulator, without the rest of the stack. */
export async function startMoto(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logDir = mkdtempSync(join(tmpdir(), 'drover-moto-'));
  const service = new Service(
    { name: 'moto', command: venvBin(process.cwd(), 'moto_server'), args: ['-H', '127.0.0.1', '-p', String(port)], env: process.env, cwd: process.cwd(), probe: httpProbe(`${endpoint}/moto-api/`) },
    logDir,
    () => undefined,
  );
  await service.start();
  return {
    endpoint,
    async stop() {
      await service.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/**
 * One call of a Query-protocol API (IAM here, whose client this project does not carry).
 * moto picks the service from the credential scope and does not check the signature.
 */
export async function motoQuery(endpoint: string, service: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=drover-local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${params.Action}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}
