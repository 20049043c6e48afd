/**
 * A stand-in for workers/child.ts: a separate node process that reaches the source only
 * through the shared budget, configured by BUDGET_CHILD (see child-config.ts).
 */
import { BoundedPool } from '../../../concurrency/bounded-pool.js';
import { budgetHooks, createSourceBudget } from '../../../budget/index.js';
import { createTaxClient } from '../../../scraper/client.js';
import type { BudgetChildConfig, BudgetChildEvent } from './child-config.js';
import { dynamoClient } from '../../support/moto.js';

const say = (event: BudgetChildEvent): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  const c = JSON.parse(process.env.BUDGET_CHILD ?? '') as BudgetChildConfig;
  const ddb = dynamoClient(c.endpoint);
  const budget = createSourceBudget({
    ddb,
    table: c.table,
    clientId: c.clientId,
    maxConcurrency: c.maxConcurrency,
    blockSize: c.concurrency,
    ...(c.maxRps === undefined ? {} : { maxRps: c.maxRps }),
    ...(c.leaseMs === undefined ? {} : { leaseMs: c.leaseMs }),
    ...(c.clockSkewMs === undefined ? {} : { clockSkewMs: c.clockSkewMs }),
    ...(c.increaseRps === undefined ? {} : { increaseRps: c.increaseRps }),
    ...(c.cooldownMs === undefined ? {} : { cooldownMs: c.cooldownMs }),
  });

  if (c.mode === 'hold') {
    await budget.snapshot(); // reaches the table before saying so
    say({ event: 'asking' });
    for (let slots = 1; slots <= c.concurrency; slots++) {
      await budget.acquire();
      say({ event: 'holding', slots });
    }
    setInterval(() => undefined, 60_000); // keep the slots (and renewing) until killed
    return;
  }

  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
  });
  const timeoutMs = 10_000;
  const hooks = budgetHooks(budget, { requestTimeoutMs: timeoutMs });
  const byStatus: Record<string, number> = {};
  const client = createTaxClient({
    baseUrl: c.portalUrl!,
    timeoutMs,
    concurrency: c.concurrency,
    clientId: c.clientId,
    beforeRequest: hooks.beforeRequest,
    onResponse: (status, retryAfterMs) => {
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      hooks.onResponse(status, retryAfterMs);
    },
  });
  const pool = new BoundedPool(c.concurrency);
  const parcels = c.parcels!;
  let lookups = 0;
  for (let i = 0; c.mode === 'loop' ? !stopping : i < parcels.length; i++) {
    const parcelId = parcels[i % parcels.length]!;
    await pool.add(async () => {
      const result = await client.lookup({ parcelId, searchName: '', county: '' });
      if (result.status === 'ERROR') throw new Error(`lookup of ${parcelId} failed: ${result.error}`);
      lookups++;
    });
  }
  await pool.drain();
  await budget.close();
  ddb.destroy();
  // Exit once the line is out: a pipe is written asynchronously.
  process.stdout.write(`${JSON.stringify({ event: 'done', lookups, byStatus } satisfies BudgetChildEvent)}\n`, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
