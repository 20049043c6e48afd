/** Where the ARNs the executor hands out claim to live. */
export interface ArnContext {
  region: string;
  accountId: string;
}

export function batchArn(ctx: ArnContext, resource: string): string {
  return `arn:aws:batch:${ctx.region}:${ctx.accountId}:${resource}`;
}

/** The resource part after `<kind>/` when `ref` is a Batch ARN of that kind, else undefined. */
export function arnResource(ref: string, kind: 'job-definition' | 'job-queue' | 'job'): string | undefined {
  const match = /^arn:[^:]+:batch:[^:]*:[^:]*:([a-z-]+)\/(.+)$/.exec(ref);
  return match && match[1] === kind ? match[2] : undefined;
}
