import { describe, expect, it } from '@jest/globals';
import * as cheerio from 'cheerio';
import { PortalDataset, type Parcel } from '../../portal/dataset.js';
import { pageStyle } from '../../portal/page-style.js';
import { maintenancePage, notFoundPage, officeName, parcelPage, searchPage } from '../../portal/render.js';
import { formatMoney } from '../../portal/text.js';
import { readParcelPage, readSearchPage, specPage } from './support.js';

const dataset = new PortalDataset();

function known(id: string): Parcel {
  const parcel = dataset.parcel(id);
  if (parcel === undefined) throw new Error(`no parcel ${id}`);
  return parcel;
}

describe('render: the spec sample pages, byte for byte', () => {
  it('renders parcel-delinquent.html and parcel-paid.html', () => {
    expect(parcelPage(known('12-345-678'), pageStyle('12-345-678', 42))).toBe(specPage('parcel-delinquent.html'));
    expect(parcelPage(known('07-001-230'), pageStyle('07-001-230', 42))).toBe(specPage('parcel-paid.html'));
  });

  it('renders parcel-not-found.html, maintenance.html, search-results.html and search-empty.html', () => {
    expect(notFoundPage()).toBe(specPage('parcel-not-found.html'));
    expect(maintenancePage()).toBe(specPage('maintenance.html'));
    expect(searchPage('DOUBLE R CATTLE CO', 'LINCOLN', dataset.search('DOUBLE R CATTLE CO', 'LINCOLN'))).toBe(specPage('search-results.html'));
    expect(searchPage('NOBODY IN PARTICULAR', 'LINCOLN', [])).toBe(specPage('search-empty.html'));
  });
});

describe('render: money and escaping', () => {
  it('writes money like the sample pages', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(5)).toBe('$0.05');
    expect(formatMoney(123456)).toBe('$1,234.56');
    expect(formatMoney(-1200)).toBe('($12.00)');
    expect(formatMoney(123_456_789_01)).toBe('$123,456,789.01');
    expect(() => formatMoney(1.5)).toThrow(RangeError);
  });

  it('writes zero as a dash where the style says so', () => {
    const parcel: Parcel = {
      ...known('12-345-679'),
      history: [
        { year: 2026, billedCents: 500, paidCents: 0, balanceCents: 500, status: 'DUE' },
        { year: 2025, billedCents: 400, paidCents: 400, balanceCents: 0, status: 'PAID' },
      ],
    };
    const cells = (zero: 'dollars' | 'dash-balances' | 'dash-all'): string[][] =>
      readParcelPage(parcelPage(parcel, { nav: false, footer: false, zero })).rows;
    expect(cells('dollars')).toEqual([
      ['2026', '$5.00', '$0.00', '$5.00', 'DUE'],
      ['2025', '$4.00', '$4.00', '$0.00', 'PAID'],
    ]);
    expect(cells('dash-balances')[1]).toEqual(['2025', '$4.00', '$4.00', '—', 'PAID']);
    expect(cells('dash-all')[0]).toEqual(['2026', '$5.00', '—', '$5.00', 'DUE']);
  });

  it('escapes every text taken from data or the request', () => {
    const nasty = '<script>alert("x")</script> & \'CO\'';
    const parcel: Parcel = { ...known('12-345-678'), owner: nasty, situs: '<b>1 MAIN</b>', legal: 'A&B', county: 'LIN<COLN' };
    const html = parcelPage(parcel);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;CO&#39;');
    const read = readParcelPage(html);
    expect(read.owner).toBe(nasty);
    expect(read.county).toBe('LIN<COLN');
    expect(cheerio.load(html)('title').text()).toBe('Parcel 12-345-678 | Lin<coln County Treasurer');

    const search = searchPage(nasty, '"LINCOLN"', [parcel]);
    expect(search).not.toContain('<script>');
    expect(cheerio.load(search)('h2').text()).toBe(`Parcels owned by ${nasty} in "LINCOLN"`);
    expect(readSearchPage(search)).toEqual({ links: ['/parcels/12-345-678'], texts: [`${nasty} — <b>1 MAIN</b>`], noResults: false });
  });

  it('names the office of each county', () => {
    expect(officeName('CUSTER')).toBe('Custer County Treasurer');
    expect(officeName('  wood   lake ')).toBe('Wood Lake County Treasurer');
    expect(officeName('')).toBe('Lincoln County Treasurer');
  });
});
