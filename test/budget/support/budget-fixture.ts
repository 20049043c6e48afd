import { afterAll, beforeAll } from '@jest/globals';
import type { Portal } from '../../../portal/server.js';
import { startDynalite, type DynamoDb } from '../../support/dynalite.js';
import type { BudgetChildEvent } from './child-config.js';
import type { RunningChild } from './spawn-child.js';

export interface BudgetFixture {
  /** The suite's dynalite, started before its first test. */
  readonly db: DynamoDb;
  /** Portals and children a test starts: closed and killed after the suite. */
  portals: Portal[];
  children: RunningChild[];
}

/** A dynalite for the suite, and the portals and budget children its tests start, all stopped after it. */
export function budgetFixture(): BudgetFixture {
  let db: DynamoDb | undefined;
  const fixture: BudgetFixture = {
    get db() {
      if (!db) throw new Error('the budget fixture is used before its beforeAll ran');
      return db;
    },
    portals: [],
    children: [],
  };
  beforeAll(async () => {
    db = await startDynalite();
  }, 60_000);
  afterAll(async () => {
    for (const child of fixture.children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await Promise.all(fixture.portals.map((p) => p.close()));
    await db?.close();
  });
  return fixture;
}

/** Well-formed parcel ids: each lookup is exactly one request (200, or 404 for an unknown parcel). */
export function parcels(from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `31-${String(from + i).padStart(3, '0')}-500`);
}

export const isDone = (e: BudgetChildEvent): e is Extract<BudgetChildEvent, { event: 'done' }> => e.event === 'done';
