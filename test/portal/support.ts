/** Helpers for the portal tests: read pages the way the scraper will, and rate like the spec. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import type { Parcel } from '../../portal/dataset.js';
import { figuresOf, type ExpectedRating } from '../support/expected.js';

/** A spec sample page, from the repo's byte-for-byte copies (test/fixtures/tax-portal). */
export function specPage(name: string): string {
  return readFileSync(join(process.cwd(), 'test', 'fixtures', 'tax-portal', name), 'utf8');
}

export interface ReadParcel {
  parcelId: string | undefined;
  owner: string;
  county: string;
  /** Tax Year, Billed, Paid, Balance, Status as written. */
  rows: string[][];
  total: string;
}

export function readParcelPage(html: string): ReadParcel {
  const $ = cheerio.load(html);
  const dd = (term: string): string => $('dl.parcel-info dt').filter((_, el) => $(el).text() === term).next('dd').text();
  return {
    parcelId: $('#parcel').attr('data-parcel-id'),
    owner: dd('Owner'),
    county: dd('County'),
    rows: $('table#tax-history tbody tr')
      .toArray()
      .map((tr) => $(tr).find('td').toArray().map((td) => $(td).text())),
    total: $('p.total-due strong').text(),
  };
}

export function readSearchPage(html: string): { links: string[]; texts: string[]; noResults: boolean } {
  const $ = cheerio.load(html);
  const anchors = $('ul.results li a').toArray();
  return {
    links: anchors.map((a) => $(a).attr('href') ?? ''),
    texts: anchors.map((a) => $(a).text()),
    noResults: $('p.no-results').length === 1,
  };
}

/** '$1,234.56' -> 123456, '($12.00)' -> -1200, '—' -> 0. */
export function parseMoney(text: string): number {
  if (text === '—') return 0;
  const m = /^(\()?\$([\d,]+)\.(\d\d)\)?$/.exec(text);
  if (m === null) throw new Error(`not money: ${text}`);
  const cents = Number((m[2] ?? '').replaceAll(',', '')) * 100 + Number(m[3]);
  return m[1] === '(' ? -cents : cents;
}

/** The spec's default rating policy over a customer's parcels (none: NOT_FOUND): the tests' own oracle. */
export function rate(parcels: readonly Parcel[]): ExpectedRating {
  return figuresOf(parcels).rating;
}
