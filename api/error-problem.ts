/**
 * Every error the API meets, as the problem a client gets. Input a route refuses is 400 naming
 * each field, an unknown id 404, a conflict 409; what Fastify refuses keeps its own status
 * (413 too large, 415 a media type it does not read); a database or Temporal that does not
 * answer is 503. Only what nothing here knows is a 500, and that is a bug to fix.
 */
import { STATUS_CODES } from 'node:http';
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyError } from 'fastify';
import { problem, type Problem } from './problem.js';

interface FieldError {
  in?: string;
  path: string;
  message: string;
}

/** The drover error codes with a status of their own; others go by their suffix (statusOfCode). */
const CODE_STATUS: Record<string, number> = {
  JOB_INVALID: 400,
  JOB_PARAMETERS_INVALID: 400,
  CREDIT_CHECK_NO_INPUT: 400,
  LEDGER_NOT_FOUND: 404,
  TASK_LOG_NONE: 404,
  LEDGER_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
};

/** The status a drover error code says: `<AREA>_NOT_FOUND` 404, `_INVALID` or `_BAD_INPUT` 400, `_CONFLICT`, `_EXISTS` or `_REUSED` 409. */
export function statusOfCode(code: string): number | undefined {
  if (CODE_STATUS[code]) return CODE_STATUS[code];
  if (/_NOT_FOUND$/.test(code)) return 404;
  if (/_(INVALID|BAD_INPUT)$/.test(code)) return 400;
  if (/_(CONFLICT|EXISTS|REUSED)$/.test(code)) return 409;
  return undefined;
}

/** Ajv's errors as fields: `additionalProperties` and `required` name the property itself. */
function validationFields(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; additionalProperty?: string };
    const property = params.missingProperty ?? params.additionalProperty;
    const path = `${v.instancePath}${property === undefined ? '' : `/${property}`}` || '/';
    return { in: error.validationContext ?? 'body', path, message: v.message ?? 'is invalid' };
  });
}

function describeFields(fields: readonly FieldError[]): string {
  return fields.map((f) => `${f.in ? `${f.in} ` : ''}${f.path} ${f.message}`).join('; ');
}

/** A drover error's problems (`[{path, message}]`), placed in the request: parameters are the body's `parameters`. */
function problemsOf(error: { code?: string; problems?: unknown }): FieldError[] {
  if (!Array.isArray(error.problems)) return [];
  const under = error.code === 'JOB_PARAMETERS_INVALID' ? '/parameters' : '';
  return (error.problems as FieldError[]).map((p) => ({ in: 'body', path: `${under}${p.path === '/' && under ? '' : p.path}`, message: p.message }));
}

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED from Temporal; a refused, reset or closed connection to PostgreSQL (SQLSTATE class 08, 57P). */
function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && (e.code === 14 || e.code === 4)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code) || /^(08|57P)/.test(code))) return true;
    if (e.name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED/.test(e.message)) return true;
  }
  return false;
}

export interface MappedError {
  problem: Problem;
  /** A 500: nothing here knew the error, so it is logged in full. */
  unexpected: boolean;
}

export function problemOfError(error: FastifyError & { problems?: unknown }): MappedError {
  const title = (status: number) => STATUS_CODES[status] ?? 'Error';
  if (error.validation) {
    const errors = validationFields(error);
    return { problem: problem(400, 'REQUEST_INVALID', title(400), `the request was refused: ${describeFields(errors)}`, { errors }), unexpected: false };
  }
  const code = typeof error.code === 'string' ? error.code : undefined;
  const byCode = code && !code.startsWith('FST_') ? statusOfCode(code) : undefined;
  if (code && byCode) {
    const errors = problemsOf(error);
    return { problem: problem(byCode, code, title(byCode), error.message, errors.length > 0 ? { errors } : {}), unexpected: false };
  }
  // Fastify's own refusals (a body too large or unreadable, a media type it has no parser for) and plugins' (429) carry their status.
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { problem: problem(status, code ?? `HTTP_${status}`, title(status), error.message), unexpected: false };
  }
  if (isUnavailable(error)) {
    return { problem: problem(503, 'DEPENDENCY_UNAVAILABLE', title(503), 'the database or Temporal did not answer: try again shortly (GET /healthz says which)'), unexpected: false };
  }
  // PostgreSQL refusing a value (class 22: out of range, an unsupported character) is the request's fault.
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) {
    return { problem: problem(400, 'REQUEST_VALUE_REFUSED', title(400), `a value of the request could not be stored: ${error.message}`), unexpected: false };
  }
  return { problem: problem(500, 'INTERNAL', title(500), 'the API failed on this request; it has been logged'), unexpected: true };
}
