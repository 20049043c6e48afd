/**
 * Bad input ends the catalog commands with exit code 2, as a usage error does, so a script
 * can tell "you asked wrongly" (2) from "it did not work" (1). Each problem of a refused
 * document or parameter set is printed on a line of its own, with the field's path.
 */
import { CommanderError, type Command } from 'commander';
import type { Problem } from '../catalog/job-definition.js';
import { errorWithCode } from '../errors/drover-error.js';

/** Something typed or given to the CLI that it refuses: a file that is not JSON, `--param` without `=`, an unknown step. */
export class CliInputError extends errorWithCode('CliInputError', 'CLI_BAD_INPUT') {
  problems: Problem[] = [];
}

export const BAD_INPUT_EXIT = 2;

/** Codes of the errors that are the caller's input refused: a task name or array index the process does not have too. */
const BAD_INPUT_CODES: ReadonlySet<string> = new Set(['CLI_BAD_INPUT', 'JOB_INVALID', 'JOB_PARAMETERS_INVALID', 'TASK_NOT_FOUND', 'TASK_INDEX_INVALID']);

/** A refusal listing its problems: `message` then `  <path>: <message>` for each. */
export function inputRefused(message: string, problems: Problem[]): CliInputError {
  return Object.assign(new CliInputError(message), { problems });
}

/**
 * Wraps a command's action: bad input is printed (`drover: <message>` and its problems) and
 * exits 2; any other error goes on to drover.ts, which prints it and exits 1.
 */
export function action<Args extends unknown[]>(run: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await run(...args);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (!(err instanceof Error) || typeof code !== 'string' || !BAD_INPUT_CODES.has(code)) throw err;
      const problems = (err as { problems?: Problem[] }).problems ?? [];
      console.error(`drover: ${err.message}`);
      for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
      process.exitCode = BAD_INPUT_EXIT;
    }
  };
}

/**
 * Commander's own refusals (a missing argument, an unknown option, a value its parser
 * refused) exit 2 in `group` and the commands made under it after this call; help exits 0.
 */
export function badUsageExitsTwo(group: Command): Command {
  return group.exitOverride((err: CommanderError) => {
    const fine = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
    process.exit(fine ? err.exitCode : BAD_INPUT_EXIT);
  });
}
