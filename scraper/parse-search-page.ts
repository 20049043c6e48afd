import { load } from 'cheerio/slim';
import { PageFormatError } from './errors.js';
import { assertEndsWithHtml, assertHasContent } from './page-check.js';

const PREFIX = '/parcels/';

/**
 * Reads an owner search page (shared/specs/tax-portal/README.md) into the listed parcel ids,
 * URL-decoded, in page order, each once. Empty when the page says `p.no-results`.
 *
 * @throws {IncompletePageError} (retryable) when the page is cut off or has neither
 *   `ul.results` nor `p.no-results`.
 * @throws {PageFormatError} when a link's id cannot be URL-decoded.
 */
export function parseSearchPage(html: string): string[] {
  assertEndsWithHtml(html);
  const $ = load(html);
  assertHasContent($, 'ul.results, p.no-results');
  if ($('p.no-results').length > 0) return [];

  const ids = $(`ul.results a[href^="${PREFIX}"]`)
    .toArray()
    .map((a) => {
      // Only the path segment names the parcel; a query or fragment is decoration.
      const encoded = ($(a).attr('href') ?? '').slice(PREFIX.length).split(/[?#]/)[0] ?? '';
      try {
        return decodeURIComponent(encoded).trim();
      } catch (cause) {
        throw new PageFormatError(`search result link ${JSON.stringify(encoded)} is not URL-encoded`, { cause });
      }
    })
    .filter((id) => id !== '');
  // A parcel listed twice must not be summed twice.
  return [...new Set(ids)];
}
