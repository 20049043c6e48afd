/**
 * The runner's own failures and the exit code each ends the Batch job with. Apart from these
 * the runner exits with its step's code, so a task log's header and last lines tell which it was.
 */
import { errorWithCode } from '../errors/drover-error.js';

/** pip (or `python3 -m venv`) failed: the step's modules could not be installed. */
export class ModulesInstallError extends errorWithCode('ModulesInstallError', 'RUNNER_MODULES_FAILED') {}

/** The step's script could not be downloaded from S3. */
export class ScriptFetchError extends errorWithCode('ScriptFetchError', 'RUNNER_FETCH_FAILED') {}

/** The step's program could not be started: not found or not executable. */
export class StepSpawnError extends errorWithCode('StepSpawnError', 'RUNNER_SPAWN_FAILED') {}

/** Exit codes of the runner's own failures, by error code. Anything else unexpected exits 1 with its stack. */
export const RUNNER_EXIT_CODES: Readonly<Record<string, number>> = {
  /** The step's DROVER_STEP_* variables are broken. */
  STEP_CONTRACT_INVALID: 2,
  /** A drover setting the runner reads (AWS_*, DROVER_VENV_CACHE) is broken. */
  CONFIG_INVALID: 2,
  RUNNER_MODULES_FAILED: 3,
  RUNNER_FETCH_FAILED: 4,
  /** As a shell reports a command it cannot run. */
  RUNNER_SPAWN_FAILED: 127,
};
