/**
 * The embedded stack's DynamoDB (dynalite) on a free port, for tests that need DynamoDB alone.
 * Its item updates are atomic, as DynamoDB's are; moto's are not under concurrent conditional
 * writes, which made the shared-budget test lose slots (free above the limit) once the
 * children got fast enough to race.
 */
import { spawn } from 'node:child_process';
import { dynamodbService } from '../../stack/dynamodb-service.js';
import { freePort } from '../../stack/free-port.js';
import { waitFor } from '../../stack/probes.js';
import { dynamoClient, type Moto } from './moto.js';
import { createRunTable } from '../../run-data/run-table.js';

/** Same surface as startMoto's, so a suite can take either. */
export type DynamoDb = Moto;

export async function startDynalite(): Promise<DynamoDb> {
  const port = await freePort();
  const spec = dynamodbService(process.cwd(), port, process.env);
  const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: 'ignore' });
  let exited = false;
  const gone = new Promise((resolve) => proc.once('exit', (code) => resolve((exited = true) && code)));
  await waitFor('dynalite', spec.probe!, 30_000, () => !exited);
  const endpoint = `http://127.0.0.1:${port}`;
  const ddb = dynamoClient(endpoint);
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
      await gone;
    },
  };
}
