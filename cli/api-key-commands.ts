/**
 * `drover api-key ...`: make, list and revoke the REST API's keys, straight in the ledger
 * (DATABASE_URL, else the running stack's database), so the first admin key can be made
 * before the API has any.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ANONYMOUS, API_KEY_NAME_PATTERN, API_KEY_ROLES, createApiKey, listApiKeys, revokeApiKey, type ApiKeyRole } from '../ledger/api-keys.js';
import { action, badUsageExitsTwo } from './bad-input.js';
import { withSession } from './ledger-session.js';
import { table } from './text-table.js';

function keyName(text: string): string {
  if (!API_KEY_NAME_PATTERN.test(text) || text === ANONYMOUS) {
    throw new InvalidArgumentError(`lowercase letters, digits and "-", at most 63, starting with a letter or digit, and not "${ANONYMOUS}"`);
  }
  return text;
}

const SHOWN_ONCE = 'This key is shown only now: drover keeps only its hash. Store it somewhere safe; if it is lost, revoke it and make another.';
const when = (d: Date | null): string => (d ? d.toISOString() : '-');

export function addApiKeyCommands(program: Command): void {
  const group = badUsageExitsTwo(program.command('api-key').description('the REST API\'s keys: make one (shown once), list them, revoke one'));

  group
    .command('create')
    .description('make an API key with a role and print it, the only time it is shown')
    .argument('<name>', 'the key\'s name, as the audit trail and triggeredBy ("api:<name>") show it', keyName)
    .addOption(new Option('--role <role>', 'viewer reads; operator also fires, cancels and retries; admin also changes jobs, schedules and keys').choices(API_KEY_ROLES).makeOptionMandatory())
    .option('--json', 'print {"name","role","key"}')
    .action(
      action(async (name: string, opts: { role: ApiKeyRole; json?: boolean }) => {
        await withSession(async (s) => {
          const made = await createApiKey(s.ledger(), { name, role: opts.role });
          if (opts.json) console.log(JSON.stringify(made));
          else console.log(`${made.name} (${made.role})\n${made.key}`);
          // On stderr, so `--json` or a pipe gets the key alone and a person still sees it.
          console.error(SHOWN_ONCE);
        });
      }),
    );

  group
    .command('list')
    .description('every key, revoked ones too, with its prefix; never a key or its hash')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (opts: { json?: boolean }) => {
        await withSession(async (s) => {
          const keys = await listApiKeys(s.ledger());
          if (opts.json) for (const k of keys) console.log(JSON.stringify(k));
          else {
            const rows = keys.map((k) => [k.name, k.role, `${k.prefix}…`, when(k.createdAt), when(k.lastUsedAt), k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active']);
            for (const line of table([['NAME', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'STATE'], ...rows])) console.log(line);
          }
        });
      }),
    );

  group
    .command('revoke')
    .description('revoke a key: the API refuses it within a few seconds (servers trust a key they checked for 5 s)')
    .argument('<name>', 'the key\'s name')
    .option('--json', 'print {"name","revokedAt"}')
    .action(
      action(async (name: string, opts: { json?: boolean }) => {
        await withSession(async (s) => {
          const { revokedAt } = await revokeApiKey(s.ledger(), name);
          console.log(opts.json ? JSON.stringify({ name, revokedAt }) : `revoked ${name} at ${revokedAt.toISOString()}`);
        });
      }),
    );
}
