import { describe, expect, it } from '@jest/globals';
import { IncompletePageError, PageFormatError, MoneyFormatError } from '../../scraper/errors.js';
import { parseParcelPage } from '../../scraper/parse-parcel-page.js';
import { parseSearchPage } from '../../scraper/parse-search-page.js';
import { specPage, testPage } from './support/pages.js';
import { thrown } from '../support/thrown.js';

describe('parseParcelPage', () => {
  it('reads the delinquent sample page', () => {
    const page = parseParcelPage(specPage('parcel-delinquent.html'));
    expect(page).toEqual({
      parcelId: '12-345-678',
      owner: 'DOUBLE R CATTLE CO',
      years: [
        { year: 2026, billedCents: 321040, paidCents: 0, balanceCents: 321040, status: 'DUE' },
        { year: 2025, billedCents: 310522, paidCents: 100000, balanceCents: 210522, status: 'DELINQUENT' },
        { year: 2024, billedCents: 299810, paidCents: 299810, balanceCents: 0, status: 'PAID' },
        { year: 2023, billedCents: 287000, paidCents: 288200, balanceCents: -1200, status: 'PAID' },
      ],
    });
    // The page's own "Total Due: $5,303.62" is the sum of the balances.
    expect(page.years.reduce((sum, year) => sum + year.balanceCents, 0)).toBe(530362);
  });

  it('reads the paid sample page (entity-decoded owner, em dash balance)', () => {
    expect(parseParcelPage(specPage('parcel-paid.html'))).toEqual({
      parcelId: '07-001-230',
      owner: 'MARIA & JOSE HERNANDEZ',
      years: [
        { year: 2026, billedCents: 81200, paidCents: 81200, balanceCents: 0, status: 'PAID' },
        { year: 2025, billedCents: 79050, paidCents: 79050, balanceCents: 0, status: 'PAID' },
      ],
    });
  });

  it('reads the test pasture page (&mdash; paid cells)', () => {
    const page = parseParcelPage(testPage('parcel-pasture.html'));
    expect(page.parcelId).toBe('12-345-679');
    expect(page.years.map((y) => [y.year, y.paidCents, y.balanceCents, y.status])).toEqual([
      [2026, 0, 41000, 'DUE'],
      [2025, 0, 39550, 'DELINQUENT'],
      [2024, 0, 38025, 'DELINQUENT'],
    ]);
  });

  it('accepts trailing white space after </html>', () => {
    expect(parseParcelPage(`${specPage('parcel-delinquent.html')}\n\n  \r\n`).years).toHaveLength(4);
  });

  it('refuses a truncated page as retryable', () => {
    const html = specPage('parcel-delinquent.html');
    const error = thrown(() => parseParcelPage(html.slice(0, html.length - 10)));
    expect(error).toBeInstanceOf(IncompletePageError);
    expect(error).toMatchObject({ name: 'IncompletePageError', code: 'SCRAPER_INCOMPLETE_PAGE', retryable: true, reason: 'truncated' });
  });

  it('refuses a page cut inside the table, even though HTML parsing would close it', () => {
    const html = specPage('parcel-delinquent.html');
    const cut = html.slice(0, html.indexOf('<tr><td>2024'));
    expect(thrown(() => parseParcelPage(cut))).toMatchObject({ code: 'SCRAPER_INCOMPLETE_PAGE', reason: 'truncated' });
  });

  it.each(['maintenance.html', 'parcel-not-found.html', 'search-results.html', 'search-empty.html'])(
    'refuses %s as a parcel page (no table#tax-history)',
    (name) => {
      expect(thrown(() => parseParcelPage(specPage(name)))).toMatchObject({
        name: 'IncompletePageError',
        reason: 'missing-content',
        message: 'page has no table#tax-history (maintenance page?)',
      });
    },
  );

  it('refuses an unknown status and a bad money cell, not as retryable', () => {
    const html = specPage('parcel-delinquent.html');
    const status = thrown(() => parseParcelPage(html.replace('<td>DUE</td>', '<td>LATE</td>')));
    expect(status).toBeInstanceOf(PageFormatError);
    expect((status as Error).message).toBe('parcel 12-345-678 tax history row 1: unknown status "LATE"');
    const money = thrown(() => parseParcelPage(html.replace('$2,998.10</td><td>$0.00', '$2,998.10</td><td>N/A')));
    expect(money).toBeInstanceOf(MoneyFormatError);
  });

  it('refuses a page without a parcel id', () => {
    const html = specPage('parcel-delinquent.html').replace(' data-parcel-id="12-345-678"', '');
    expect(thrown(() => parseParcelPage(html))).toMatchObject({ code: 'SCRAPER_PAGE_FORMAT' });
  });
});

describe('parseSearchPage', () => {
  it('lists the parcels of the sample results page', () => {
    expect(parseSearchPage(specPage('search-results.html'))).toEqual(['12-345-678', '12-345-679']);
  });

  it('is empty for the sample empty page', () => {
    expect(parseSearchPage(specPage('search-empty.html'))).toEqual([]);
  });

  it('URL-decodes ids, ignores other links and lists each parcel once', () => {
    const html = specPage('search-results.html')
      .replace('/parcels/12-345-679', '/parcels/A%2FB%207?tab=history')
      .replace('</ul>', '<li><a href="/parcels/12-345-678">again</a></li><li><a href="/elsewhere">x</a></li></ul>');
    expect(parseSearchPage(html)).toEqual(['12-345-678', 'A/B 7']);
  });

  it('refuses a truncated page and a maintenance page as retryable', () => {
    const html = specPage('search-results.html');
    expect(thrown(() => parseSearchPage(html.slice(0, 300)))).toMatchObject({ code: 'SCRAPER_INCOMPLETE_PAGE', reason: 'truncated' });
    expect(thrown(() => parseSearchPage(specPage('maintenance.html')))).toMatchObject({
      code: 'SCRAPER_INCOMPLETE_PAGE',
      reason: 'missing-content',
    });
  });
});
