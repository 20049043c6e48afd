/**
 * The embedded stack's DynamoDB (dynalite) on a free port, for tests that need DynamoDB alone.
 * Its item updates are atomic, as DynamoDB's are; moto's are not under concurrent conditional
 * writes, which made the shared-budget test lose slots (free above the limit) once the
 * children got fast enough to race.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll } from '@jest/globals';
import { dynamodbService } from '../../stack/dynamodb-service.js';
import { freePort } from '../../stack/free-port.js';
import { waitFor } from '../../stack/probes.js';
import { emulatorHandle, type Moto } from './moto.js';

/** Same surface as startMoto's, so a suite can take either. */
export type DynamoDb = Moto;

export async function startDynalite(): Promise<DynamoDb> {
  const port = await freePort();
  const spec = dynamodbService(process.cwd(), port, process.env);
  const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: 'ignore' });
  await waitFor('dynalite', spec.probe!, 30_000, () => proc.exitCode === null && proc.signalCode === null);
  return emulatorHandle(`http://127.0.0.1:${port}`, proc);
}

/** A dynalite for the whole suite: started before its first test, stopped after its last. */
export function dynaliteForSuite(): DynamoDb {
  const db = {} as DynamoDb;
  beforeAll(async () => void Object.assign(db, await startDynalite()), 60_000);
  afterAll(async () => db.close?.());
  return db;
}
