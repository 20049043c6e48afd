/**
 * How the API checks requests against their TypeBox schemas. Fastify's own Ajv coerces types,
 * fills defaults and drops unknown keys everywhere; a body is taken as sent here instead (a
 * job document's unknown key is refused, not quietly dropped), while the query string, path
 * and headers, which are text, have their numbers read and their defaults filled. Every error
 * is reported, not just the first, so a 400 names each bad field.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under Node's ESM its default export is the plugin itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const bodyAjv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, removeAdditional: false }));
const textAjv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true, removeAdditional: false }));

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object) as ValidateFunction;
