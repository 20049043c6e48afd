/**
 * The spec's selectors, run by cheerio on a DOM: the reference the one-pass scanners
 * (scraper/parse-parcel-page.ts, parse-search-page.ts) must agree with on every page.
 */
import * as cheerio from 'cheerio/slim';
import type { ParcelText } from '../../../scraper/parse-parcel-page.js';
import type { SearchText } from '../../../scraper/parse-search-page.js';

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function referenceParcelText(html: string): ParcelText {
  const $ = cheerio.load(html);
  const parcel = $('#parcel').first();
  const ownerLabel = $('dt').filter((_, dt) => collapse($(dt).text()) === 'Owner').first();
  return {
    hasHistory: $('table#tax-history').length > 0,
    parcelId: parcel.length === 0 ? undefined : (parcel.attr('data-parcel-id') ?? ''),
    owner: ownerLabel.length === 0 ? undefined : collapse(ownerLabel.nextAll('dd').first().text()),
    rows: $('table#tax-history tbody tr')
      .toArray()
      .map((tr) => $(tr).find('td').toArray().map((td) => collapse($(td).text()))),
  };
}

export function referenceSearchText(html: string): SearchText {
  const $ = cheerio.load(html);
  return {
    results: $('ul.results').length > 0,
    noResults: $('p.no-results').length > 0,
    hrefs: $('ul.results a[href^="/parcels/"]')
      .toArray()
      .map((a) => $(a).attr('href') ?? ''),
  };
}
