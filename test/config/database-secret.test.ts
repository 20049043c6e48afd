import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfigParts } from '../../config/load-config.js';
import { databaseUrlFromSecret } from '../../config/database-secret.js';
import { startTlsPostgres, type TlsPostgres } from '../support/postgres-tls.js';

const home = () => mkdtempSync(join(tmpdir(), 'drover-config-'));

/** An RDS secret as Secrets Manager holds it once attached to the instance. */
const rdsSecret = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    username: 'drover',
    password: 'a:b@c/d%e?f#g h',
    engine: 'postgres',
    host: 'drover-db.abc123.eu-west-1.rds.amazonaws.com',
    port: 5432,
    dbInstanceIdentifier: 'drover-db',
    dbname: 'drover',
    ...fields,
  });

async function query<T>(url: string, sql: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as T;
  } finally {
    await client.end();
  }
}

describe('DATABASE_SECRET_JSON', () => {
  it('makes the URL with each part escaped, over TLS without verifying the certificate', () => {
    expect(databaseUrlFromSecret(rdsSecret())).toBe(
      'postgres://drover:a%3Ab%40c%2Fd%25e%3Ff%23g%20h@drover-db.abc123.eu-west-1.rds.amazonaws.com:5432/drover?sslmode=no-verify',
    );
    // No dbname: PostgreSQL takes the user's name.
    expect(databaseUrlFromSecret(rdsSecret({ dbname: undefined, port: '6543', password: 'plain' }))).toBe(
      'postgres://drover:plain@drover-db.abc123.eu-west-1.rds.amazonaws.com:6543?sslmode=no-verify',
    );
  });

  it('is the database part\'s URL when DATABASE_URL is unset, and refused together with it', () => {
    const env = { DROVER_HOME: home(), DATABASE_SECRET_JSON: rdsSecret({ password: 'pw' }) };
    expect(loadConfigParts(['database'], { env }).database.url).toBe('postgres://drover:pw@drover-db.abc123.eu-west-1.rds.amazonaws.com:5432/drover?sslmode=no-verify');
    expect(() => loadConfigParts(['database'], { env: { ...env, DATABASE_URL: 'postgres://u:p@h:5432/d' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: 'set the database either as DATABASE_URL or as DATABASE_SECRET_JSON, not both' }),
    );
  });

  it('names what is wrong with the secret and never echoes it', () => {
    const cases: [string, string][] = [
      ['{"username": "drover", "password": "s3cret-value"', 'DATABASE_SECRET_JSON is not JSON'],
      ['["s3cret-value"]', 'DATABASE_SECRET_JSON is not a JSON object'],
      [rdsSecret({ password: 's3cret-value', host: undefined, port: '' }), 'DATABASE_SECRET_JSON lacks host, port'],
      [rdsSecret({ password: 's3cret-value', engine: 'mysql' }), 'DATABASE_SECRET_JSON is the secret of a mysql database, not postgres'],
      [rdsSecret({ password: 's3cret-value', port: 'x' }), 'DATABASE_SECRET_JSON\'s port is not a port number'],
    ];
    for (const [json, message] of cases) {
      expect(() => loadConfigParts(['database'], { env: { DROVER_HOME: home(), DATABASE_SECRET_JSON: json } })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message }));
    }
  });
});

describe('the catalog step roles', () => {
  it('reads BATCH_STEP_JOB_ROLE_ARN and BATCH_STEP_EXECUTION_ROLE_ARN, unset by default', () => {
    expect(loadConfigParts(['batch'], { env: { DROVER_HOME: home() } }).batch).toEqual(expect.objectContaining({ stepJobRoleArn: undefined, stepExecutionRoleArn: undefined }));
    const env = {
      DROVER_HOME: home(),
      BATCH_STEP_JOB_ROLE_ARN: 'arn:aws:iam::123456789012:role/Drover-StepsJobRole-ABC',
      BATCH_STEP_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/Drover-ScrapeChildExecutionRole-DEF',
    };
    expect(loadConfigParts(['batch'], { env }).batch).toEqual(
      expect.objectContaining({ stepJobRoleArn: env.BATCH_STEP_JOB_ROLE_ARN, stepExecutionRoleArn: env.BATCH_STEP_EXECUTION_ROLE_ARN }),
    );
  });
});

describe('the URL made from the secret, against a PostgreSQL that demands TLS with a certificate Node does not trust (as RDS does)', () => {
  let server: TlsPostgres;
  beforeAll(async () => {
    server = await startTlsPostgres();
  }, 120_000);
  afterAll(async () => server?.stop());

  it('connects over TLS with a password that needs escaping', async () => {
    const url = databaseUrlFromSecret(JSON.stringify({ username: server.user, password: server.password, host: server.host, port: server.port, dbname: server.database, engine: 'postgres' }));
    const row = await query<{ user: string; db: string; ssl: boolean }>(url, 'select current_user as user, current_database() as db, ssl from pg_stat_ssl where pid = pg_backend_pid()');
    expect(row).toEqual({ user: 'drover', db: 'drover', ssl: true });
  });

  it('is refused without TLS, and would be with a verifying sslmode, which is why the URL asks for neither', async () => {
    await expect(query(`postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${server.database}`, 'select 1')).rejects.toThrow(/no encryption/);
    const url = databaseUrlFromSecret(JSON.stringify({ username: server.user, password: server.password, host: server.host, port: server.port, dbname: server.database })).replace('sslmode=no-verify', 'sslmode=verify-full');
    await expect(query(url, 'select 1')).rejects.toThrow(/self[- ]signed certificate/);
  });
});
