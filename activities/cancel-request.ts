import type { Client } from '@temporalio/client';

/** Who asked Temporal to cancel a run, and why, as the run's history records it. */
export interface CancelRequest {
  /** The requesting client's identity: `temporal-cli:alice@host` from the `temporal` CLI, `drover-cli:alice@host` from `drover cancel`. */
  identity?: string;
  /** The reason given with the request (`drover cancel --reason`), if any. */
  reason?: string;
}

/** Events read a page: the request is near the end of the history, so newest first it is found on the first page or so. */
const PAGE_SIZE = 100;

/**
 * The run's WorkflowExecutionCancelRequested event, read from the end of its history. The
 * workflow itself is told only that it is cancelled (the SDK passes on neither the identity nor
 * the reason), so the failure notice asks here. Undefined when the run has no such event.
 */
export async function findCancelRequest(client: Client, workflowId: string, runId?: string): Promise<CancelRequest | undefined> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: PAGE_SIZE,
      nextPageToken,
    });
    for (const event of page.history?.events ?? []) {
      const request = event.workflowExecutionCancelRequestedEventAttributes;
      if (request) return { identity: request.identity || undefined, reason: request.cause || undefined };
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return undefined;
}

/** A sentence for the notice: `Requested by drover-cli:alice@host: wrong file.`; empty when nothing is known. */
export function describeCancelRequest(request: CancelRequest | undefined): string {
  if (!request?.identity && !request?.reason) return '';
  const by = request.identity ? `Requested by ${request.identity}` : 'Requested';
  return request.reason ? `${by}: ${request.reason.trim().replace(/\.?$/, '.')}` : `${by}.`;
}
