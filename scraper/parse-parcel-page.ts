import { load } from 'cheerio/slim';
import { PageFormatError } from './errors.js';
import { parseMoney } from './money.js';
import { assertEndsWithHtml, assertHasContent } from './page-check.js';

export type TaxStatus = 'PAID' | 'DUE' | 'DELINQUENT';

/** One row of a parcel's tax history; amounts in cents. */
export interface TaxYear {
  year: number;
  billedCents: number;
  paidCents: number;
  balanceCents: number;
  status: TaxStatus;
}

/** What a parcel page says. */
export interface ParcelPage {
  parcelId: string;
  owner: string;
  /** In page order. */
  years: TaxYear[];
}

const STATUSES: ReadonlySet<string> = new Set<TaxStatus>(['PAID', 'DUE', 'DELINQUENT']);

/** Cell text with white space collapsed, as a reader would see it. */
function cellText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Reads a parcel page (shared/specs/tax-portal/README.md).
 *
 * @throws {IncompletePageError} (retryable) when the page is cut off or has no `table#tax-history`.
 * @throws {PageFormatError} when a whole page breaks the spec (no parcel id, bad row, unknown status).
 * @throws {MoneyFormatError} when a money cell cannot be read.
 */
export function parseParcelPage(html: string): ParcelPage {
  assertEndsWithHtml(html);
  const $ = load(html);
  assertHasContent($, 'table#tax-history');

  const parcelId = cellText($('#parcel').attr('data-parcel-id') ?? '');
  if (parcelId === '') throw new PageFormatError('parcel page has no #parcel[data-parcel-id]');

  const ownerLabel = $('dt').filter((_, dt) => cellText($(dt).text()) === 'Owner').first();
  const owner = cellText(ownerLabel.nextAll('dd').first().text());

  const years = $('table#tax-history tbody tr')
    .toArray()
    .map((tr, index): TaxYear => {
      const cells = $(tr).find('td').toArray().map((td) => cellText($(td).text()));
      const [yearText, billed, paid, balance, status] = cells;
      const where = `parcel ${parcelId} tax history row ${index + 1}`;
      if (yearText === undefined || billed === undefined || paid === undefined || balance === undefined || status === undefined) {
        throw new PageFormatError(`${where} has ${cells.length} cells, expected 5`);
      }
      if (!/^\d{4}$/.test(yearText)) throw new PageFormatError(`${where}: bad tax year ${JSON.stringify(yearText)}`);
      if (!STATUSES.has(status)) throw new PageFormatError(`${where}: unknown status ${JSON.stringify(status)}`);
      return {
        year: Number(yearText),
        billedCents: parseMoney(billed),
        paidCents: parseMoney(paid),
        balanceCents: parseMoney(balance),
        status: status as TaxStatus,
      };
    });

  return { parcelId, owner, years };
}
