import { ConfigError } from './config-error.js';
import { SETTINGS, type Setting } from './settings.js';

export const TABLE_START = '<!-- settings:start (npm run docs:config writes this table from config/settings.ts) -->';
export const TABLE_END = '<!-- settings:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function defaultText(setting: Setting): string {
  if (setting.default === undefined) return '(unset)';
  if (setting.type === 'int' && /^\d{5,}$/.test(setting.default)) return `\`${Number(setting.default).toLocaleString('en-US')}\``;
  return `\`${setting.default}\``;
}

/** The doc, and where a setting with a fallback takes its value from when the environment does not set it. */
function docText(setting: Setting): string {
  return setting.fallback === undefined ? setting.doc : `${setting.doc} Falls back to \`.drover/stack.json\`, then \`${setting.fallback}\`.`;
}

/** The README's configuration table, one row per setting. */
export function settingsTable(): string {
  const rows = (SETTINGS as readonly Setting[]).map((s) => `| \`${s.env}\` | ${s.type} | ${defaultText(s)} | ${cell(docText(s))} |`);
  return ['| variable | type | default | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The README with its table replaced by the current one. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new ConfigError(`README.md has no ${TABLE_START} … ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}
