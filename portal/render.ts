/**
 * The portal's pages as pure functions, byte for byte in the shape of
 * shared/specs/tax-portal/pages/*.html. Every text from data or a request is escaped.
 */
import type { Parcel, TaxYear } from './dataset.js';
import { SAMPLE_DELINQUENT_STYLE, type PageStyle } from './page-style.js';
import { escapeHtml, formatMoney, normalizeName, titleCase } from './text.js';

/** The office named on pages that belong to no county in particular. */
export const DEFAULT_OFFICE = 'Lincoln County Treasurer';

const NOTHING = '—';

/** The treasurer's office of a county: 'LINCOLN' -> 'Lincoln County Treasurer'. */
export function officeName(county: string): string {
  const name = titleCase(normalizeName(county));
  return name === '' ? DEFAULT_OFFICE : `${name} County Treasurer`;
}

/** A parcel page (pages/parcel-delinquent.html, pages/parcel-paid.html). */
export function parcelPage(parcel: Parcel, style: PageStyle = SAMPLE_DELINQUENT_STYLE): string {
  const office = escapeHtml(officeName(parcel.county));
  const id = escapeHtml(parcel.parcelId);
  const nav = style.nav ? '<nav><a href="/">Home</a> <a href="/search">Search</a></nav>' : '';
  const info = [
    ['Owner', parcel.owner],
    ['Situs Address', parcel.situs],
    ['County', parcel.county],
    ...(parcel.legal === '' ? [] : [['Legal', parcel.legal]]),
  ].map(([term, value]) => `    <dt>${escapeHtml(term ?? '')}</dt><dd>${escapeHtml(value ?? '')}</dd>\n`);
  const rows = parcel.history.map((row, index) => historyRow(row, index === 0, style));
  const totalDue = parcel.history.reduce((sum, row) => sum + row.balanceCents, 0);
  return (
    '<!DOCTYPE html>\n<html lang="en">\n' +
    `<head><meta charset="utf-8"><title>Parcel ${id} | ${office}</title></head>\n` +
    '<body>\n' +
    `<header><h1>${office}</h1>${nav}</header>\n` +
    '<main>\n' +
    `<div id="parcel" data-parcel-id="${id}">\n` +
    `  <h2>Parcel ${id}</h2>\n` +
    '  <dl class="parcel-info">\n' +
    info.join('') +
    '  </dl>\n' +
    '  <table id="tax-history">\n' +
    '    <thead><tr><th>Tax Year</th><th>Billed</th><th>Paid</th><th>Balance</th><th>Status</th></tr></thead>\n' +
    '    <tbody>\n' +
    rows.join('') +
    '    </tbody>\n' +
    '  </table>\n' +
    `  <p class="total-due">Total Due: <strong>${escapeHtml(formatMoney(totalDue))}</strong></p>\n` +
    '</div>\n' +
    '</main>\n' +
    (style.footer ? '<footer>Data provided as a public service. Not a legal tax certificate.</footer>\n' : '') +
    '</body>\n</html>\n'
  );
}

function historyRow(row: TaxYear, current: boolean, style: PageStyle): string {
  const money = (cents: number, balance: boolean): string => {
    const dash =
      cents === 0 &&
      (style.zero === 'dash-all' ||
        (balance && style.zero === 'dash-balances') ||
        (balance && current && style.zero === 'dash-current-balance'));
    return escapeHtml(dash ? NOTHING : formatMoney(cents));
  };
  const cells = [String(row.year), money(row.billedCents, false), money(row.paidCents, false), money(row.balanceCents, true), row.status];
  return `      <tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>\n`;
}

/** The 404 page (pages/parcel-not-found.html). */
export function notFoundPage(office: string = DEFAULT_OFFICE): string {
  return simplePage(
    'Parcel not found',
    office,
    '<main><p class="not-found">No parcel found with that number. Check the number and try again.</p></main>\n',
  );
}

/**
 * Search results (pages/search-results.html), or the empty list with `p.no-results`
 * (pages/search-empty.html). `owner` and `county` are shown as given.
 */
export function searchPage(owner: string, county: string, results: readonly Parcel[]): string {
  const items = results.map(
    (p) => `  <li><a href="/parcels/${escapeHtml(encodeURIComponent(p.parcelId))}">${escapeHtml(p.owner)} &mdash; ${escapeHtml(p.situs)}</a></li>\n`,
  );
  const list =
    results.length === 0
      ? '<ul class="results"></ul>\n<p class="no-results">No parcels match that owner in this county.</p>\n'
      : `<ul class="results">\n${items.join('')}</ul>\n`;
  return simplePage(
    'Search results',
    officeName(county),
    `<main>\n<h2>Parcels owned by ${escapeHtml(owner)} in ${escapeHtml(county)}</h2>\n${list}</main>\n`,
  );
}

/** The maintenance page served with 503 (pages/maintenance.html). */
export function maintenancePage(): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n' +
    '<head><meta charset="utf-8"><title>Down for maintenance</title></head>\n' +
    '<body><h1>The tax search is down for scheduled maintenance.</h1><p>Please try again in a few minutes.</p></body>\n' +
    '</html>\n'
  );
}

/** A bare error page for 4xx/5xx answers that are not in the spec's samples (500, 429, 405, ...). */
export function errorPage(status: number, message: string): string {
  return simplePage(`Error ${status}`, DEFAULT_OFFICE, `<main><p class="error">${escapeHtml(message)}</p></main>\n`);
}

/** The home page: a search form. */
export function homePage(): string {
  return simplePage(
    'Property tax search',
    DEFAULT_OFFICE,
    '<main>\n<form action="/search" method="get">' +
      '<label>Owner <input name="owner"></label> <label>County <input name="county"></label> ' +
      '<button type="submit">Search</button></form>\n</main>\n',
  );
}

function simplePage(title: string, office: string, main: string): string {
  const o = escapeHtml(office);
  return (
    '<!DOCTYPE html>\n<html lang="en">\n' +
    `<head><meta charset="utf-8"><title>${escapeHtml(title)} | ${o}</title></head>\n` +
    '<body>\n' +
    `<header><h1>${o}</h1></header>\n` +
    main +
    '</body>\n</html>\n'
  );
}
