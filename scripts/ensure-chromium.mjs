#!/usr/bin/env node
// Debian's Chromium, which the browser test (test/e2e/swagger-ui.test.ts) drives through
// playwright-core: installed with apt-get when /usr/bin/chromium is missing. playwright-core
// downloads no browser of its own, and Debian's is the one this machine's registry serves.
// Run by ensure.mjs for `npm test` (or with --browser), and by the test itself when it is
// missing, so a focused jest run finds it too. Plain Node: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian's `chromium` unless CHROMIUM exists. As root, or through `sudo -n` (no
 * password prompt: nobody is there to answer it in CI). `apt-get update` only when the install
 * fails, since stale package lists are the usual reason and a fresh update costs a download.
 * Throws, saying what to do, when it cannot be installed.
 */
export function ensureChromium(say = (line) => console.error(`[ensure] ${line}`)) {
  if (existsSync(CHROMIUM)) return;
  const fail = (why) => {
    throw new Error(`${CHROMIUM} is missing and could not be installed: ${why}. The browser test needs Debian's chromium: install it (apt-get install --no-install-recommends chromium) and run this again.`);
  };
  if (!existsSync('/usr/bin/apt-get')) fail('there is no apt-get on this machine');
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) fail('this is not root, and sudo -n (sudo without a password) is not allowed');
  const apt = (args) => {
    const [command, argv] = asRoot ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
    const r = spawnSync(command, argv, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return { ok: r.status === 0, output: `${r.error?.message ?? ''}${r.stderr ?? ''}`.trim() };
  };
  const install = ['install', '-y', '-q', '--no-install-recommends', 'chromium'];
  const started = Date.now();
  say('installing Debian\'s chromium for the browser test (apt-get)');
  let result = apt(install);
  if (!result.ok) {
    say('apt-get install failed; updating the package lists and trying again');
    const update = apt(['update', '-q']);
    if (!update.ok) fail(`apt-get update failed: ${update.output.slice(-1500)}`);
    result = apt(install);
  }
  if (!result.ok) fail(`apt-get install failed: ${result.output.slice(-1500)}`);
  if (!existsSync(CHROMIUM)) fail(`apt-get installed chromium, but ${CHROMIUM} is not there`);
  say(`installed chromium in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureChromium();
  } catch (err) {
    console.error(`[ensure] ${err.message}`);
    process.exit(1);
  }
}
