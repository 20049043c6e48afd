/**
 * The README's table of a job document's fields, written from the schema itself (catalog/job-schema.ts)
 * by `npm run docs:job-schema`, so the README cannot tell another story than the validation.
 */
import { JobSchema } from './job-schema.js';

export const FIELDS_START = '<!-- job-fields:start (npm run docs:job-schema writes this table from catalog/job-schema.ts) -->';
export const FIELDS_END = '<!-- job-fields:end -->';

type Node = Record<string, unknown>;

function range(node: Node): string {
  const min = node['minimum'] ?? node['minItems'] ?? node['minLength'];
  const max = node['maximum'] ?? node['maxItems'] ?? node['maxLength'];
  if (min === undefined && max === undefined) return '';
  return ` ${min ?? ''}–${max ?? ''}`.replace(/(\d)(?=(\d{3})+\b)/g, '$1,');
}

/** A field's type in a few words: `integer 1–10`, `python3 \| node \| bash`, `array of string`. */
function typeOf(node: Node): string {
  if (Array.isArray(node['anyOf'])) return (node['anyOf'] as Node[]).map((n) => `\`${String(n['const'])}\``).join(', ');
  const type = node['type'];
  if (type === 'array') return `array${range(node)} of ${typeOf(node['items'] as Node)}`;
  if (type === 'object' && node['patternProperties']) return 'object of string';
  if (typeof node['pattern'] === 'string' && type === 'string') return `string \`${node['pattern']}\``.replace(/\|/g, '\\|');
  if (node['format']) return `${String(type)} (${String(node['format'])})`;
  return `${String(type)}${range(node)}`;
}

function rows(node: Node, prefix: string): string[] {
  const properties = node['properties'] as Record<string, Node>;
  const required = new Set((node['required'] as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([name, child]) => {
    const path = `${prefix}${name}`;
    const own = `| \`${path}\` | ${typeOf(child)} | ${required.has(name) ? 'yes' : ''} | ${String(child['description'] ?? '').replace(/\|/g, '\\|')} |`;
    if (child['type'] === 'array' && (child['items'] as Node)['properties']) return [own, ...rows(child['items'] as Node, `${path}[].`)];
    if (child['type'] === 'object' && child['properties'] && name !== 'parameters') return [own, ...rows(child, `${path}.`)];
    return [own];
  });
}

export function jobFieldsTable(): string {
  return ['| field | type | required | meaning and default |', '| --- | --- | --- | --- |', ...rows(JobSchema as unknown as Node, '')].join('\n');
}

export function withJobFieldsTable(readme: string): string {
  const start = readme.indexOf(FIELDS_START);
  const end = readme.indexOf(FIELDS_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${FIELDS_START} … ${FIELDS_END} block`);
  return `${readme.slice(0, start + FIELDS_START.length)}\n${jobFieldsTable()}\n${readme.slice(end)}`;
}
