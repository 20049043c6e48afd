import { fileURLToPath } from 'node:url';

/**
 * The repository root, found from this file's compiled place (dist/infra/): the Docker
 * build context, the Lambda's entry and the lock file are all relative to it, whatever
 * directory `cdk synth` or a test runs from.
 */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
