import { PageFormatError } from './errors.js';
import { hasAncestor, hasClass, scanHtml } from './html-scan.js';
import { assertEndsWithHtml, missingContent } from './page-check.js';

const PREFIX = '/parcels/';

/** What a search page shows, in the spec's terms (see parseSearchPage). */
export interface SearchText {
  /** Has a `ul.results`. */
  results: boolean;
  /** Has a `p.no-results`. */
  noResults: boolean;
  /** `href` of each `ul.results a[href^="/parcels/"]`, in page order. */
  hrefs: string[];
}

/** Reads the fields in one scan of the page. */
export function scanSearchPage(html: string): SearchText {
  const page: SearchText = { results: false, noResults: false, hrefs: [] };
  scanHtml(html, {
    open(element, stack) {
      if (element.name === 'ul' && hasClass(element, 'results')) page.results = true;
      else if (element.name === 'p' && hasClass(element, 'no-results')) page.noResults = true;
      else if (element.name === 'a' && element.attribs.href?.startsWith(PREFIX) && hasAncestor(stack, 'ul', (ul) => hasClass(ul, 'results'))) {
        page.hrefs.push(element.attribs.href);
      }
    },
  });
  return page;
}

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
  const { results, noResults, hrefs } = scanSearchPage(html);
  if (!results && !noResults) throw missingContent('ul.results, p.no-results');
  if (noResults) return [];

  const ids = hrefs
    .map((href) => {
      // Only the path segment names the parcel; a query or fragment is decoration.
      const encoded = href.slice(PREFIX.length).split(/[?#]/)[0] ?? '';
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
