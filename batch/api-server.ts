import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Operation } from './api-operations.js';
import { CallStats } from './call-stats.js';
import { BatchClientError } from './errors.js';
import { isObject } from './request-fields.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  operations: ReadonlyMap<string, Operation>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Counts every call to an operation; served at GET /drover/stats. */
  stats: CallStats;
}

export interface ApiServer {
  port: number;
  close(): Promise<void>;
}

/** Not part of AWS's API: the executor's counts of the calls it answered (call-stats.ts). */
export const STATS_PATH = '/drover/stats';

/**
 * The restJson1 transport of the Batch API: `POST /v1/<operation>` with a JSON body.
 * Errors carry `x-amzn-errortype`, which is what the SDK reads to pick the exception class.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      sendError(res, 500, 'ServerException', error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // The SDK keeps connections alive; without this close() would wait for them to idle out.
      server.closeAllConnections();
    }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.toLowerCase();
  if (path === STATS_PATH && req.method === 'GET') {
    req.resume();
    send(res, 200, options.stats.view());
    return;
  }
  const operation = options.operations.get(path);
  const name = CallStats.operationOf(path);
  // A call refused (bad body, unknown job) still counts: AWS throttles it all the same.
  if (operation !== undefined && name !== undefined && req.method === 'POST') options.stats.count(name);
  if (operation === undefined || req.method !== 'POST') {
    req.resume();
    sendError(res, 404, 'UnknownOperationException', `${req.method} ${path} is not an operation of the local Batch executor`);
    return;
  }
  let body: unknown;
  try {
    const text = await readBody(req, options.maxBodyBytes);
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    sendError(res, 400, 'ClientException', error instanceof BatchClientError ? error.message : 'Request body is not valid JSON');
    return;
  }
  if (!isObject(body)) {
    sendError(res, 400, 'ClientException', 'Request body must be a JSON object');
    return;
  }
  try {
    send(res, 200, operation(body));
  } catch (error) {
    if (error instanceof BatchClientError) sendError(res, 400, 'ClientException', error.message);
    else throw error;
  }
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BatchClientError(`Request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, status, { message }, { 'x-amzn-errortype': type });
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}
