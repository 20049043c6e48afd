import type { CheerioAPI } from 'cheerio';
import { IncompletePageError } from './errors.js';

/**
 * Throws unless the page ends with `</html>` (trailing white space ignored). A body cut off
 * in transit still parses as HTML, so the closing tag is the only sign that it arrived whole.
 */
export function assertEndsWithHtml(html: string): void {
  if (!/<\/html>$/i.test(html.trimEnd())) {
    throw new IncompletePageError('truncated', 'page truncated (no closing </html>)');
  }
}

/**
 * Throws unless `selector` matches: a whole page without it is not the page the route
 * promises (typically a maintenance notice served with 200).
 */
export function assertHasContent($: CheerioAPI, selector: string): void {
  if ($(selector).length === 0) {
    throw new IncompletePageError('missing-content', `page has no ${selector} (maintenance page?)`);
  }
}
