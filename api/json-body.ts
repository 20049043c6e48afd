/**
 * The one body the API reads: JSON. Its strings go to PostgreSQL, whose text and jsonb cannot
 * hold U+0000, so a body carrying one is refused here as bad input rather than failing at the
 * database (nor a lone surrogate, which no UTF-8 store takes); a `__proto__` key is refused as Fastify's own parser refuses it. Text bodies get
 * 415 like any other type the API does not read.
 */
import type { FastifyInstance } from 'fastify';
import { errorWithCode } from '../errors/drover-error.js';

export class JsonBodyError extends errorWithCode('JsonBodyError', 'REQUEST_BODY_INVALID') {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function reviver(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new JsonBodyError('the body has a "__proto__" key, which is refused');
  if (key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) throw new JsonBodyError('the body has a string with the character U+0000, which cannot be stored');
  // A lone surrogate is no text at all: PostgreSQL's jsonb and Temporal's gRPC (UTF-8) both refuse it, deep inside a process or a schedule.
  if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value))) throw new JsonBodyError('the body has a string with a lone UTF-16 surrogate, which is not text');
  return value;
}

export function installJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(new JsonBodyError('the body is empty: send a JSON object, or no Content-Type with no body'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text, reviver));
    } catch (err) {
      done(err instanceof JsonBodyError ? err : new JsonBodyError(`the body is not JSON: ${(err as Error).message}`), undefined);
    }
  });
}
