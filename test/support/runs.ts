import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { runIdFor } from '../../trigger/run-id.js';
import type { CreditCheckResult } from '../../workflows/definitions.js';
import { eventually } from './eventually.js';
import type { TestStack } from './test-stack.js';

/** Uploads as an organizer does (the real S3 → SQS → trigger path) and names the run it starts. */
export async function upload(stack: TestStack, key: string, body: Buffer, notify?: string): Promise<string> {
  const out = await stack.aws.s3.send(
    new PutObjectCommand({ Bucket: stack.file.aws.bucket, Key: key, Body: body, Metadata: notify ? { notify } : undefined }),
  );
  return runIdFor(stack.file.aws.bucket, key, out.ETag!);
}

export async function runHandle(stack: TestStack, runId: string) {
  return eventually(`run ${runId} to start`, async () => {
    const handle = stack.client.workflow.getHandle(runId);
    await handle.describe();
    return handle;
  });
}

export async function outcome(stack: TestStack, runId: string): Promise<{ result?: CreditCheckResult; error?: Error }> {
  const handle = await runHandle(stack, runId);
  try {
    return { result: (await handle.result()) as CreditCheckResult };
  } catch (error) {
    return { error: error as Error };
  }
}

export async function bucketKeys(stack: TestStack): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: stack.file.aws.bucket, ContinuationToken: token }));
    keys.push(...(out.Contents ?? []).map((o) => o.Key!));
    token = out.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function runTables(stack: TestStack): Promise<string[]> {
  const out = await stack.aws.dynamodb.send(new ListTablesCommand({}));
  return (out.TableNames ?? []).filter((t) => t.startsWith('drover-run-'));
}

export function rootCause(err: Error): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return (e as Error).message;
}

export async function readReport(stack: TestStack, key: string): Promise<{ bytes: Buffer; book: ExcelJS.Workbook }> {
  const out = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.file.aws.bucket, Key: key }));
  const bytes = Buffer.from(await out.Body!.transformToByteArray());
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return { bytes, book };
}

/** The `Credit worthiness` rows as objects keyed by header. */
export function reportRows(book: ExcelJS.Workbook): Record<string, unknown>[] {
  const sheet = book.getWorksheet('Credit worthiness')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return rows;
}
