import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../contracts/search-attributes.js';
import { freePort } from '../../stack/free-port.js';

/**
 * The pinned Temporal dev server (`.venv/bin/temporal`, which ensure installs) on a free port,
 * with drover's search attributes registered. The time-skipping test server would be
 * downloaded at its first use, which this machine cannot do.
 */
export async function startDevServer(): Promise<{ env: TestWorkflowEnvironment; address: string }> {
  const port = await freePort();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: join(process.cwd(), '.venv', 'bin', 'temporal') },
      ip: '127.0.0.1',
      port,
      searchAttributes: SEARCH_ATTRIBUTES,
    },
  });
  return { env, address: `127.0.0.1:${port}` };
}
