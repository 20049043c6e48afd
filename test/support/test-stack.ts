import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createAwsClients, type AwsClients } from '../../config/aws-clients.js';
import { isolatedStackEnv } from '../../stack/isolated-env.js';
import { startStack, type RunningStack, type StackOptions } from '../../stack/stack.js';

export interface TestStack extends RunningStack {
  aws: AwsClients;
  client: Client;
  home: string;
  close(): Promise<void>;
}

/**
 * The embedded stack on free ports with its own state directory, so tests never meet a
 * developer's running stack or each other. Its PostgreSQL is its own too, the ledger migrated:
 * `env.DATABASE_URL` (and `file.database.url`) name it, unless `opts.env` gives a DATABASE_URL.
 */
export async function startTestStack(opts: { env?: Record<string, string>; worker?: boolean; temporal?: StackOptions['temporal'] } = {}): Promise<TestStack> {
  const home = mkdtempSync(join(tmpdir(), 'drover-test-'));
  const env: NodeJS.ProcessEnv = {
    ...isolatedStackEnv(home),
    DROVER_PORTAL_LATENCY_MS: '0',
    DROVER_PORTAL_FAULT_RATE: '0',
    DROVER_BATCH_POLL_SECONDS: '0.2',
    ...opts.env,
  };
  const stack = await startStack({ root: process.cwd(), env, worker: opts.worker, temporal: opts.temporal, say: () => undefined });
  const connection = await Connection.connect({ address: stack.file.temporal.address });
  const client = new Client({ connection, namespace: stack.file.temporal.namespace });
  const aws = createAwsClients(stack.config);
  return {
    ...stack,
    aws,
    client,
    home,
    async close() {
      await connection.close();
      for (const c of Object.values(aws)) c.destroy();
      await stack.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
