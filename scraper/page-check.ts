import { IncompletePageError } from './errors.js';

/**
 * Throws unless the page ends with `</html>` (trailing white space ignored). A body cut off
 * in transit still parses as HTML, so the closing tag is the only sign that it arrived whole.
 */
export function assertEndsWithHtml(html: string): void {
  if (!/<\/html>$/i.test(html.trimEnd())) {
    throw new IncompletePageError('page truncated (no closing </html>)', { reason: 'truncated' });
  }
}

/**
 * The error for a whole page without what `selector` names: not the page the route
 * promises (typically a maintenance notice served with 200).
 */
export function missingContent(selector: string): IncompletePageError {
  return new IncompletePageError(`page has no ${selector} (maintenance page?)`, { reason: 'missing-content' });
}
