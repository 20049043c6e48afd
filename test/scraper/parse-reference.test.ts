import { describe, expect, it } from '@jest/globals';
import { PortalDataset } from '../../portal/dataset.js';
import { ZERO_STYLES } from '../../portal/page-style.js';
import { maintenancePage, notFoundPage, parcelPage, searchPage } from '../../portal/render.js';
import { scanParcelPage } from '../../scraper/parse-parcel-page.js';
import { scanSearchPage } from '../../scraper/parse-search-page.js';
import { referenceParcelText, referenceSearchText } from './support/cheerio-reference.js';
import { specPage, testPage } from './support/pages.js';

const dataset = new PortalDataset({ seed: 42 });
const delinquent = specPage('parcel-delinquent.html');
const results = specPage('search-results.html');

/** Pages a careless or unusual server could send, each read the same way by a DOM. */
const oddParcelPages: [string, string][] = [
  ['upper-case tags and attributes', delinquent.replaceAll('<td>', '<TD>').replaceAll('</td>', '</TD>').replace('id="tax-history"', 'ID="tax-history"')],
  ['cells without end tags', delinquent.replaceAll('</td>', '')],
  ['rows without end tags', delinquent.replaceAll('</tr>', '')],
  ['markup and comments inside cells', delinquent.replace('<td>$3,210.40</td>', '<td><span>$3,210</span><!-- c -->.40</td>').replace('<td>DUE</td>', '<td>\n  <b>DUE</b> </td>')],
  ['entities in cells and the owner', delinquent.replace('DOUBLE R CATTLE CO', 'DOUBLE&nbsp;R &#67;ATTLE &amp; CO').replace('<td>$0.00</td>', '<td>&#36;0.00</td>')],
  ['another dt before Owner, spaced label', delinquent.replace('<dt>Owner</dt>', '<dt>Deed</dt><dd>B-12</dd><dt> Owner\n</dt>')],
  ['Owner with no dd after it', delinquent.replace('<dd>DOUBLE R CATTLE CO</dd>', '')],
  ['Owner dd after other markup', delinquent.replace('<dt>Owner</dt><dd>', '<dt>Owner</dt><!-- x --><span>note</span><dd>')],
  ['no parcel div', delinquent.replace('<div id="parcel" data-parcel-id="12-345-678">', '<div>')],
  ['parcel id in single quotes', delinquent.replace('data-parcel-id="12-345-678"', "data-parcel-id=' 12-345-678 '")],
  ['a second table outside the history', delinquent.replace('<p class="total-due">', '<table><tbody><tr><td>x</td></tr></tbody></table><p class="total-due">')],
  ['a thead row only', delinquent.replace(/<tbody>[\s\S]*<\/tbody>/, '<tbody></tbody>')],
  ['history without tbody', delinquent.replace('<tbody>', '').replace('</tbody>', '')],
  ['a script with markup-like text', delinquent.replace('</head>', '<script>var s = "<td>1</td></table>";</script></head>')],
  ['not found', notFoundPage()],
  ['maintenance', maintenancePage()],
  ['search results', results],
];

const oddSearchPages: [string, string][] = [
  ['results with a query and another link', results.replace('/parcels/12-345-679', '/parcels/A%2FB%207?tab=history').replace('</ul>', '<li><a href="/elsewhere">x</a></li></ul>')],
  ['a parcel link outside the list', results.replace('<h2>', '<a href="/parcels/99-999-999">x</a><h2>')],
  ['a list with other classes', results.replace('class="results"', 'class="list results wide"')],
  ['a class that only starts with results', results.replace('class="results"', 'class="results-old"')],
  ['items without end tags', results.replaceAll('</li>', '')],
  ['the empty page', specPage('search-empty.html')],
  ['maintenance', maintenancePage()],
  ['a parcel page', delinquent],
];

describe('the one-pass page scanners read what the spec selectors select in a DOM', () => {
  it('on 600 generated parcel pages in every zero style, and the spec and test pages', () => {
    const pages = [specPage('parcel-paid.html'), delinquent, testPage('parcel-pasture.html')];
    const parcels = dataset
      .customers(400)
      .map((customer) => dataset.parcel(customer.parcelId.trim()))
      .filter((parcel) => parcel !== undefined)
      .slice(0, 150);
    for (const [n, parcel] of parcels.entries()) {
      for (const zero of ZERO_STYLES) pages.push(parcelPage(parcel, { nav: n % 2 === 0, footer: n % 3 === 0, zero }));
    }
    expect(pages).toHaveLength(603);
    for (const html of pages) expect(scanParcelPage(html)).toEqual(referenceParcelText(html));
  });

  it.each(oddParcelPages)('on a parcel page: %s', (_, html) => {
    expect(scanParcelPage(html)).toEqual(referenceParcelText(html));
  });

  it('on the search pages of every roster owner and on an empty search', () => {
    const pages = dataset.roster().map(({ owner, county }) => searchPage(owner, county, dataset.search(owner, county)));
    pages.push(searchPage('NOBODY', 'LINCOLN', []));
    expect(pages.length).toBeGreaterThan(100);
    for (const html of pages) expect(scanSearchPage(html)).toEqual(referenceSearchText(html));
  });

  it.each(oddSearchPages)('on a search page: %s', (_, html) => {
    expect(scanSearchPage(html)).toEqual(referenceSearchText(html));
  });
});
