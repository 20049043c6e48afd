import { createServer } from 'node:net';

/** A port free right now on 127.0.0.1: for services that must be told a port rather than pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function portOrFree(port: number): Promise<number> {
  return port === 0 ? freePort() : port;
}
