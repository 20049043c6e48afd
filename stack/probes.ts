import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorWithCode } from '../errors/drover-error.js';

export type Probe = () => Promise<boolean>;

export function tcpProbe(port: number): Probe {
  return () =>
    new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setTimeout(1000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
}

export function httpProbe(url: string): Probe {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status < 500;
    } catch {
      return false;
    }
  };
}

/**
 * moto through stack/moto-server.py: ready once its outbox route answers 200 with JSON, which
 * plain `moto_server` (answering 404 there) never does.
 */
export function outboxProbe(endpoint: string): Probe {
  return async () => {
    try {
      const res = await fetch(`${endpoint}/_drover/outbox?contains=drover-probe`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) {
        await res.arrayBuffer();
        return false;
      }
      return Array.isArray(((await res.json()) as { messages?: unknown }).messages);
    } catch {
      return false;
    }
  };
}

export class NotReadyError extends errorWithCode('NotReadyError', 'STACK_NOT_READY') {}

/** Polls until the probe answers, failing with the service's name after `timeoutMs`. */
export async function waitFor(name: string, probe: Probe, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (await probe()) return;
    if (!alive()) throw new NotReadyError(`${name} exited before it answered`);
    if (Date.now() > deadline) throw new NotReadyError(`${name} did not answer within ${timeoutMs / 1000} s`);
    await sleep(delay);
  }
}
