import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** What `npm start` writes to `<DROVER_HOME>/stack.json` so the CLI and workers find the embedded stack. */
export interface StackFile {
  temporal: { address: string; namespace: string; ui: string };
  /** `dynamodbEndpoint`: DynamoDB's own endpoint (dynalite); older stack files lack it and mean `endpoint`. */
  aws: { endpoint: string; dynamodbEndpoint?: string; region: string; bucket: string; queueUrl: string };
  batch: { endpoint: string; jobQueue: string };
  portal: { url: string };
  /** The ledger's PostgreSQL: the embedded server's, or the one DATABASE_URL gave the stack; absent in older stack files. */
  database?: { url: string };
  /** The REST API and an admin key made for this stack at its start (the name `stack-admin`); absent in older stack files. */
  api?: { url: string; key: string };
  /** Pid of the supervisor, so a second `npm start` or `npm run demo` can tell the stack is up. */
  pid?: number;
}

export function stackFilePath(home: string): string {
  return join(home, 'stack.json');
}

export function readStackFile(home: string): StackFile | undefined {
  const path = stackFilePath(home);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StackFile;
  } catch (cause) {
    throw new ConfigError(`${path} is not valid JSON; delete it or restart the stack`, { cause });
  }
}
