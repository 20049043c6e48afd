/**
 * `npm run api`: the REST API alone, against the configured database and Temporal. It opens
 * the ledger (migrated, with the built-in jobs, as a worker does), a Temporal client and the
 * AWS clients once, and listens on DROVER_API_PORT until SIGINT or SIGTERM.
 */
import { Client, Connection } from '@temporalio/client';
import { createAwsClients, destroyAwsClients } from '../config/aws-clients.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfigParts } from '../config/load-config.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { openReadyLedger } from '../ledger/open-ready.js';
import { buildApi } from './server.js';

/**
 * Every interface: in a container the load balancer reaches the task on its own address. Every
 * route but /healthz and the document needs a key, so nothing is open that should not be.
 */
const HOST = '0.0.0.0';

async function main(): Promise<void> {
  const config = loadConfigParts(['temporal', 'aws', 'batch', 'database', 'api', 'prices']);
  if (!config.database.url) throw new ConfigError('no database: set DATABASE_URL (or DATABASE_SECRET_JSON), or start the stack with npm start');
  const db = await openReadyLedger(config.database.url);
  // Lazy: the API starts, and /healthz says so, while Temporal is down; requests that need it get 503.
  const connection = Connection.lazy(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.temporal.namespace, identity: 'drover-api' });
  const aws = createAwsClients(config);
  const app = await buildApi({ db, temporal, aws, config }, { logger: { level: 'info' }, ratePerMinute: config.api.ratePerMinute, trustedProxies: config.api.trustedProxies });
  await app.listen({ port: config.api.port, host: HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  console.log(`drover API   http://127.0.0.1:${port}`);
  console.log(`Swagger UI   http://127.0.0.1:${port}/docs`);

  const stop = async () => {
    await app.close();
    await Promise.allSettled([db.destroy(), connection.close()]);
    destroyAwsClients(aws);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(`drover API: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
