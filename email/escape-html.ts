import { escapeUTF8 } from 'entities';

/**
 * Escapes `& < > " '` for HTML text and quoted attribute values; other characters stay as they
 * are, since the email is UTF-8. `entities` is the entity library of htmlparser2, the portal pages' parser.
 */
export function escapeHtml(text: string): string {
  return escapeUTF8(text);
}
