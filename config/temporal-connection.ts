import { readFileSync } from 'node:fs';
import type { Config } from './load-config.js';

/** Connection options shared by the client (CLI, trigger) and the worker: plain locally, TLS or API key in the cloud. */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>) {
  const { address, apiKey, tls, tlsPem } = config.temporal;
  return {
    address,
    apiKey,
    tls: tls
      ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } }
      : tlsPem
        ? { clientCertPair: { crt: Buffer.from(tlsPem.cert), key: Buffer.from(tlsPem.key) } }
        : apiKey
          ? true
          : undefined,
  };
}

/** The Temporal Web UI's page of a workflow, by its workflow id: linked from the emails and printed by the CLI. */
export function runUiLink(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
