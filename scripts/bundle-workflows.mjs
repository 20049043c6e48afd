#!/usr/bin/env node
// Prebuilds the workflow bundle into dist/workflow-bundle.js, so a worker in the image
// starts without running webpack (seconds of CPU and a few hundred MB at every start).
// Usage: node scripts/bundle-workflows.mjs [--out dist/workflow-bundle.js]  (after tsc)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = resolve(root, outFlag > 0 ? process.argv[outFlag + 1] : 'dist/workflow-bundle.js');
const workflowsPath = join(root, 'dist', 'workflows', 'index.js');

const { code } = await bundleWorkflowCode({ workflowsPath });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.error(`[bundle-workflows] ${workflowsPath.replace(root + '/', '')} -> ${out.replace(root + '/', '')} (${(code.length / 1024).toFixed(0)} KiB)`);
