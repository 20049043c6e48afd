/** Control of a run's budget from outside the children (the workflow, through an activity). */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BudgetContentionError, BudgetOptionsError } from './errors.js';
import { budgetKey, getState, initState, names, num, STATE_SEQ, toBudgetState, type BudgetState } from './state-item.js';

export interface BudgetControl {
  /** true: children get no new slots or tokens (requests in flight finish); false: resume. Default: unchanged. */
  paused?: boolean;
  /**
   * New limit of requests in flight over all children. Integer >= 1. Default: unchanged.
   * Lowering it below what is leased takes effect as children return slots.
   */
  maxConcurrency?: number;
}

const KEYS = new Set(['paused', 'maxConcurrency']);

/** What the state item starts with when no child has made it yet: the run's configured budget. */
export interface BudgetDefaults {
  /** TAX_SOURCE_MAX_CONCURRENCY. */
  maxConcurrency: number;
  /** TAX_SOURCE_MAX_RPS; undefined: no rate limit. */
  maxRps?: number;
}

/**
 * Sets the pause flag and/or the concurrency limit. A state item no child has made yet is
 * made from `defaults` first, so a pause sent before the children start keeps their limit.
 * Returns the budget as it stands after.
 *
 * @throws {BudgetOptionsError} on a bad or unknown control.
 */
export async function setBudgetControl(ddb: DynamoDBClient, table: string, control: BudgetControl, defaults: BudgetDefaults): Promise<BudgetState> {
  if (typeof control !== 'object' || control === null) throw new BudgetOptionsError('budget control must be an object');
  const unknown = Object.keys(control).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) throw new BudgetOptionsError(`unknown budget control(s): ${unknown.join(', ')}`);
  const { paused, maxConcurrency } = control;
  if (paused !== undefined && typeof paused !== 'boolean') throw new BudgetOptionsError('budget control paused must be a boolean');
  if (maxConcurrency !== undefined && (!Number.isSafeInteger(maxConcurrency) || maxConcurrency < 1)) {
    throw new BudgetOptionsError(`budget control maxConcurrency must be an integer >= 1, got ${String(maxConcurrency)}`);
  }

  await initState(ddb, table, defaults.maxConcurrency, defaults.maxRps, Date.now());
  if (paused !== undefined) {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: budgetKey(STATE_SEQ),
        UpdateExpression: 'SET #paused = :paused',
        ExpressionAttributeNames: { '#paused': 'paused' },
        ExpressionAttributeValues: { ':paused': { BOOL: paused } },
      }),
    );
  }
  if (maxConcurrency !== undefined) {
    for (let attempt = 0; ; attempt++) {
      const state = (await getState(ddb, table, true))!;
      if (state.limit === maxConcurrency) break;
      if (attempt >= 20) throw new BudgetContentionError(`could not set maxConcurrency of ${table}: the state kept changing`);
      // free moves with the limit, so slots leased now stay accounted for.
      const update = 'SET #limit = :limit, #free = #free + :diff';
      try {
        await ddb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: budgetKey(STATE_SEQ),
            UpdateExpression: update,
            ConditionExpression: '#limit = :old',
            ExpressionAttributeNames: names(update, '#limit'),
            ExpressionAttributeValues: { ':limit': num(maxConcurrency), ':diff': num(maxConcurrency - state.limit), ':old': num(state.limit) },
          }),
        );
        break;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
  }
  return toBudgetState(await getState(ddb, table, true));
}
