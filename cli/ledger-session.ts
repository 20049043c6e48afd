/**
 * What a catalog command works with: the configuration, read once, and the ledger, Temporal
 * and the AWS clients, each opened on first use and closed when the command ends.
 */
import type { Client } from '@temporalio/client';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../config/aws-clients.js';
import { loadConfigParts, type Config } from '../config/load-config.js';
import { errorWithCode } from '../errors/drover-error.js';
import type { ControlDeps } from '../control/deps.js';
import { openLedger, type Ledger } from '../ledger/connect.js';
import { connectClient } from './run-client.js';

export class NoLedgerError extends errorWithCode('NoLedgerError', 'DB_NOT_CONFIGURED') {}

export type SessionConfig = Pick<Config, 'temporal' | 'aws' | 'database' | 'batch' | 'prices'>;

export interface LedgerSession {
  config: SessionConfig;
  ledger(): Ledger;
  temporal(): Promise<Client>;
  aws(): AwsClients;
}

/** Runs `work` with a session and closes whatever it opened, however `work` ends. */
export async function withSession<T>(work: (session: LedgerSession) => Promise<T>): Promise<T> {
  const config = loadConfigParts(['temporal', 'aws', 'database', 'batch', 'prices']);
  let ledger: Ledger | undefined;
  let client: Promise<Client> | undefined;
  let aws: AwsClients | undefined;
  const session: LedgerSession = {
    config,
    ledger() {
      if (!config.database.url) throw new NoLedgerError('no database: set DATABASE_URL or start the stack with npm start');
      return (ledger ??= openLedger(config.database.url, { maxConnections: 2 }));
    },
    temporal: () => (client ??= connectClient(config)),
    aws: () => (aws ??= createAwsClients(config)),
  };
  try {
    return await work(session);
  } finally {
    if (aws) destroyAwsClients(aws);
    await Promise.allSettled([ledger?.destroy(), client?.then((c) => c.connection.close())]);
  }
}

/** What control/ needs, from the session: the ledger opened now, Temporal and AWS on first use. */
export function controlDeps(session: LedgerSession): ControlDeps {
  return { db: session.ledger(), temporal: () => session.temporal(), aws: () => session.aws(), config: session.config };
}
