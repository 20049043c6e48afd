import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AwsClients } from '../config/aws-clients.js';
import type { Config } from '../config/load-config.js';
import type { Ledger } from '../ledger/connect.js';

/** What the API's routes are given: the clients of one server process, made once at its start. */
export interface ApiDeps {
  db: Ledger;
  temporal: Client;
  aws: Pick<AwsClients, 's3' | 'batch' | 'logs'>;
  /** prices: what a process's usage is estimated to cost (control/usage.ts). */
  config: Pick<Config, 'temporal' | 'aws' | 'batch' | 'database' | 'prices'>;
}

/** The Fastify instance every route plugin registers on: TypeBox schemas give validation, types and the OpenAPI document. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;
