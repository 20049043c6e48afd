/** `npm run docs:config`: rewrites the README's configuration table from config/settings.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from './settings-table.js';

const path = fileURLToPath(new URL('../../README.md', import.meta.url));
writeFileSync(path, withSettingsTable(readFileSync(path, 'utf8')));
console.log(`updated the configuration table in ${path}`);
