/** `drover job ...`: put a job document in the catalog, list the jobs, show one. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { JobDefinitionError, parseJob } from '../catalog/job-definition.js';
import { putJob } from '../control/job-catalog.js';
import { getJobVersion, listJobs } from '../ledger/catalog-store.js';
import { positiveInt } from './arg-parsers.js';
import { action, badUsageExitsTwo, CliInputError, inputRefused } from './bad-input.js';
import { withSession } from './ledger-session.js';
import { collect } from './params.js';
import { readStepScripts, uploadScripts, withScripts } from './script-upload.js';
import { table } from './text-table.js';

function readDocument(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliInputError(`${file}: cannot be read (${(cause as Error).message})`, { cause });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new CliInputError(`${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new CliInputError(`${file} must hold a JSON object, a job document`);
  return document as Record<string, unknown>;
}

export function addJobCommands(program: Command): void {
  const group = badUsageExitsTwo(program.command('job').description('the job catalog: job documents and their versions'));

  group
    .command('put')
    .description('create or update a job from its JSON document; a changed document is a new version')
    .argument('<file>', 'the job document (catalog/job.schema.json)')
    .option('--script <step=path>', 'upload PATH as STEP\'s script and run it in place of any command (repeatable)', collect)
    .option('--json', 'print {"jobId","version","created"}')
    .action(
      action(async (file: string, opts: { script?: string[]; json?: boolean }) => {
        await withSession(async (s) => {
          const given = readDocument(file);
          const bucket = s.config.aws.bucket;
          // The keys are known from the bytes, so the document is checked before anything is uploaded.
          const scripts = readStepScripts(opts.script ?? [], typeof given['id'] === 'string' ? given['id'] : '_', bucket);
          const document = withScripts(given, scripts, file);
          let jobId: string;
          try {
            jobId = parseJob(document).id;
          } catch (err) {
            if (err instanceof JobDefinitionError) throw inputRefused(`${file} is not a valid job:`, err.problems);
            throw err;
          }
          await uploadScripts(s.aws().s3, bucket, scripts);
          // A retired job put again is back in service, as through the API.
          const { version, created } = await putJob(s.ledger(), document);
          console.log(opts.json ? JSON.stringify({ jobId, version, created }) : created ? `${jobId} version ${version}` : `${jobId} unchanged at version ${version}`);
        });
      }),
    );

  group
    .command('list')
    .description('the jobs of the catalog, with their latest versions')
    .option('--json', 'one JSON object per line')
    .action(
      action(async (opts: { json?: boolean }) => {
        await withSession(async (s) => {
          const jobs = await listJobs(s.ledger());
          if (opts.json) for (const j of jobs) console.log(JSON.stringify(j));
          else {
            const rows = jobs.map((j) => [j.jobId, String(j.latestVersion), String(j.steps), j.builtIn ? 'built-in' : '', j.name]);
            for (const line of table([['JOB', 'VERSION', 'STEPS', 'BUILT-IN', 'NAME'], ...rows])) console.log(line);
          }
        });
      }),
    );

  group
    .command('show')
    .description('a job\'s document, its latest version or --version N')
    .argument('<id>', 'job id')
    .addOption(new Option('--version <n>', 'this version').argParser(positiveInt))
    .option('--json', 'one JSON object: {"jobId","version","latestVersion","createdAt","document"}')
    .action(
      action(async (jobId: string, opts: { version?: number; json?: boolean }) => {
        await withSession(async (s) => {
          const row = await getJobVersion(s.ledger(), jobId, opts.version);
          const summary = (await listJobs(s.ledger())).find((j) => j.jobId === jobId);
          const latestVersion = summary?.latestVersion ?? row.version;
          if (opts.json) {
            console.log(JSON.stringify({ jobId, version: row.version, latestVersion, createdAt: row.createdAt.toISOString(), document: row.document }));
            return;
          }
          console.log(`job          ${jobId}${summary?.builtIn ? ' (built-in)' : ''}`);
          console.log(`version      ${row.version}${latestVersion === row.version ? ' (latest)' : ` (latest ${latestVersion})`}`);
          console.log(`created      ${row.createdAt.toISOString()}`);
          if (summary) console.log(`job created  ${summary.createdAt.toISOString()}`);
          console.log(JSON.stringify(row.document, null, 2));
        });
      }),
    );
}
