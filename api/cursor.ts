/**
 * A list's `cursor`: opaque to clients (base64url of JSON), so its contents can change without
 * changing the API. It says where the last page ended; a cursor that is not one of ours is 400.
 */
import { errorWithCode } from '../errors/drover-error.js';

export class CursorError extends errorWithCode('CursorError', 'CURSOR_INVALID') {}

export function encodeCursor(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The strings the cursor holds, each checked by its pattern. */
export function decodeCursor(cursor: string, patterns: readonly RegExp[]): string[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const ok = Array.isArray(value) && value.length === patterns.length && value.every((v, i) => typeof v === 'string' && patterns[i]!.test(v));
  if (!ok) throw new CursorError('the cursor is not one this API gave: pass the nextCursor of the page before, unchanged');
  return value as string[];
}
