/** A moto server of the test's own on a free port, and run tables in it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRunTable } from '../../run-data/run-table.js';
import { motoServerScript, venvBin } from '../../stack/venv.js';

export interface Moto {
  endpoint: string;
  ddb: DynamoDBClient;
  /** Creates an empty run table and returns its name. */
  table(runId: string): Promise<string>;
  close(): Promise<void>;
}

export const MOTO_CREDENTIALS = { accessKeyId: 'drover-local', secretAccessKey: 'drover-local' };

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS, maxAttempts: 8 });
}

export async function startMoto(): Promise<Moto> {
  // The embedded stack's moto: moto_server's app with the outbox route cli/mailbox.ts reads.
  const proc: ChildProcess = spawn(venvBin(process.cwd(), 'python'), [motoServerScript(process.cwd()), '-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`moto exited with ${code}: ${seen}`)));
  });
  return emulatorHandle(endpoint, proc);
}

/** The test's handle on an emulator process serving DynamoDB at `endpoint`: a client, run tables, and a stop. */
export function emulatorHandle(endpoint: string, proc: ChildProcess): Moto {
  const ddb = dynamoClient(endpoint);
  const exited = new Promise((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve(proc.exitCode) : proc.once('exit', resolve)));
  return {
    endpoint,
    ddb,
    async table(runId) {
      const name = `drover-run-${runId}`;
      await createRunTable(ddb, name, runId);
      return name;
    },
    async close() {
      ddb.destroy();
      proc.kill();
      await exited;
    },
  };
}
