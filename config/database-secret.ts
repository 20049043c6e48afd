import { ConfigError } from './config-error.js';

/**
 * The fields of an RDS credentials secret drover needs (Secrets Manager's JSON: `username`
 * and `password` from the generated secret; `host`, `port` and `engine` written by the
 * secret's attachment to the instance; `dbname` when the secret was created with one).
 */
const REQUIRED = ['username', 'password', 'host', 'port'] as const;

/**
 * RDS for PostgreSQL 15 and later refuses connections without TLS (`rds.force_ssl`), and its
 * certificate is signed by the Amazon RDS CA, which Node does not trust; the image carries no
 * RDS CA bundle. So the link is encrypted without verifying the server (pg's `no-verify`):
 * the instance is reachable only from the workers' security group inside the VPC.
 */
const SSL_MODE = 'no-verify';

/**
 * The connection URL of the database an RDS secret describes, as `DATABASE_URL` would give
 * it. `name` is the setting that held the JSON: an error names it and never echoes the
 * value, which holds the password.
 */
export function databaseUrlFromSecret(json: string, name = 'DATABASE_SECRET_JSON'): string {
  let secret: unknown;
  try {
    secret = JSON.parse(json);
  } catch {
    throw new ConfigError(`${name} is not JSON`);
  }
  if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) throw new ConfigError(`${name} is not a JSON object`);
  const fields = secret as Record<string, unknown>;
  const present = (value: unknown) => (typeof value === 'string' && value !== '') || typeof value === 'number';
  const missing = REQUIRED.filter((key) => !present(fields[key]));
  if (missing.length > 0) throw new ConfigError(`${name} lacks ${missing.join(', ')}`);
  if (fields.engine !== undefined && fields.engine !== 'postgres') throw new ConfigError(`${name} is the secret of a ${String(fields.engine)} database, not postgres`);
  const port = Number(fields.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${name}'s port is not a port number`);
  const user = encodeURIComponent(String(fields.username));
  const password = encodeURIComponent(String(fields.password));
  const dbname = typeof fields.dbname === 'string' && fields.dbname !== '' ? `/${encodeURIComponent(fields.dbname)}` : '';
  return `postgres://${user}:${password}@${String(fields.host)}:${port}${dbname}?sslmode=${SSL_MODE}`;
}
