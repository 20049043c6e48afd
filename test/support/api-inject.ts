/** Calling the API in tests through Fastify's inject: a request with a key, its answer parsed. */
import type { ApiApp } from '../../api/deps.js';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  body: T;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as it is, with its own Content-Type (the default is JSON of `body`). */
  raw?: { payload: string | Buffer; contentType: string };
  headers?: Record<string, string>;
}

export type Caller = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options?: CallOptions) => Promise<Answer<T>>;

export function caller(app: ApiApp): Caller {
  return async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: CallOptions = {}): Promise<Answer<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let payload: string | Buffer | undefined;
    if (options.raw) {
      payload = options.raw.payload;
      headers['content-type'] = options.raw.contentType;
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text: res.body, body: body as T };
  };
}
