/**
 * One Python virtualenv per distinct modules list, kept under DROVER_VENV_CACHE and named by
 * the list's hash, so a step whose modules were installed before starts at once. A venv is
 * built beside its final place and renamed into it, one atomic step: two steps racing for the
 * same list never see a half-built venv, and the one that loses the rename uses the winner's.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModulesInstallError } from './runner-errors.js';

/** Runs a command with the step's stdio (pip's output belongs to the task log) and resolves with its exit status. */
export type RunCommand = (argv: readonly string[]) => Promise<number>;

export interface Venv {
  dir: string;
  key: string;
  /** Whether it was there already: pip did not run. */
  cached: boolean;
  /** How long creating it and installing the modules took, when it was built. */
  buildMs?: number;
}

/**
 * The list as pip sees it: each project name lower-cased with runs of `-`, `_` and `.` made one
 * `-` (PEP 503), the rest of the requirement as written (markers may be case-sensitive),
 * duplicates dropped, sorted.
 */
export function normalizeModules(modules: readonly string[]): string[] {
  const normalized = modules.map((m) => {
    const [, name = '', rest = ''] = /^([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$/.exec(m.trim()) ?? [];
    return name === '' ? m.trim() : `${name.toLowerCase().replace(/[-_.]+/g, '-')}${rest}`;
  });
  return [...new Set(normalized)].sort();
}

/** The venv's directory name: the first 16 hex digits of the SHA-256 of the normalized list, one requirement a line. */
export function venvKey(modules: readonly string[]): string {
  return createHash('sha256').update(normalizeModules(modules).join('\n')).digest('hex').slice(0, 16);
}

function replaceBytes(data: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let hit = data.indexOf(from); hit !== -1; hit = data.indexOf(from, at)) {
    parts.push(data.subarray(at, hit), to);
    at = hit + from.length;
  }
  return parts.length === 0 ? data : Buffer.concat([...parts, data.subarray(at)]);
}

/**
 * A venv records its own path (pyvenv.cfg, bin/activate, the `#!` line of every script pip
 * installs into bin/), so before the rename those name the final place instead of the
 * building one: a module's command-line tool then runs from the cache.
 */
async function pointAt(building: string, final: string): Promise<void> {
  const bin = join(building, 'bin');
  const files = [join(building, 'pyvenv.cfg'), ...(await readdir(bin)).map((name) => join(bin, name))];
  const from = Buffer.from(building);
  const to = Buffer.from(final);
  for (const file of files) {
    if (!(await lstat(file)).isFile()) continue;
    const data = await readFile(file);
    const moved = replaceBytes(data, from, to);
    if (moved !== data) await writeFile(file, moved);
  }
}

function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

/** The venv of `modules` under `cacheDir`: the cached one, or one built now with `python3 -m venv` and pip. */
export async function ensureVenv(cacheDir: string, modules: readonly string[], run: RunCommand): Promise<Venv> {
  const key = venvKey(modules);
  const dir = join(cacheDir, key);
  if (existsSync(dir)) return { dir, key, cached: true };
  const started = Date.now();
  await mkdir(cacheDir, { recursive: true });
  // A dot name, so a listing of the cache shows the venvs, and a build a killed runner left is plainly not one.
  const building = await mkdtemp(join(cacheDir, `.${key}-`));
  try {
    const created = await run(['python3', '-m', 'venv', building]);
    if (created !== 0) throw new ModulesInstallError(`python3 -m venv could not create the venv: it exited ${created}`);
    const installed = await run([join(building, 'bin', 'pip'), 'install', '--disable-pip-version-check', '--no-input', ...normalizeModules(modules)]);
    if (installed !== 0) throw new ModulesInstallError(`pip could not install ${modules.join(' ')}: it exited ${installed}`);
    await pointAt(building, dir);
    // mkdtemp made it private; a venv in the cache is for whoever runs steps.
    await chmod(building, 0o755);
    try {
      await rename(building, dir);
    } catch (error) {
      // Another step built the same venv first: use its, and let ours go in the finally.
      if (!isTaken(error)) throw error;
    }
    return { dir, key, cached: false, buildMs: Date.now() - started };
  } finally {
    await rm(building, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The step's environment with the venv active, as `bin/activate` would make it. */
export function venvEnvironment(env: NodeJS.ProcessEnv, venvDir: string): NodeJS.ProcessEnv {
  const bin = join(venvDir, 'bin');
  const active: NodeJS.ProcessEnv = { ...env, VIRTUAL_ENV: venvDir, PATH: env.PATH ? `${bin}:${env.PATH}` : bin };
  // A PYTHONHOME would point python3 at another installation's standard library.
  delete active.PYTHONHOME;
  return active;
}
