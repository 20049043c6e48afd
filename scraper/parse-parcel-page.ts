import { PageFormatError } from './errors.js';
import { hasAncestor, scanHtml, type OpenElement } from './html-scan.js';
import { parseMoney } from './money.js';
import { assertEndsWithHtml, missingContent } from './page-check.js';

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

const isHistory = (element: OpenElement): boolean => element.name === 'table' && element.attribs.id === 'tax-history';

/** The page's fields as text, in the spec's terms (see parseParcelPage). */
export interface ParcelText {
  hasHistory: boolean;
  /** `#parcel[data-parcel-id]` of the first `#parcel`. */
  parcelId: string | undefined;
  /** The `dd` after the first `dt` reading `Owner`, if any. */
  owner: string | undefined;
  /** Cell texts of each `table#tax-history tbody tr`, in page order. */
  rows: string[][];
}

/** Reads the fields in one scan: each open element that collects text gets every piece inside it. */
export function scanParcelPage(html: string): ParcelText {
  const page: ParcelText = { hasHistory: false, parcelId: undefined, owner: undefined, rows: [] };
  const collecting = new Map<OpenElement, string[]>();
  let row: string[] | undefined;
  let rowElement: OpenElement | undefined;
  /** After the Owner `dt` closes: its parent, whose next `dd` child is the owner. */
  let ownerParent: OpenElement | undefined;

  scanHtml(html, {
    open(element, stack) {
      const { name } = element;
      if (isHistory(element)) page.hasHistory = true;
      if (page.parcelId === undefined && element.attribs.id === 'parcel') page.parcelId = element.attribs['data-parcel-id'] ?? '';
      if (name === 'dt' && page.owner === undefined && ownerParent === undefined) collecting.set(element, []);
      if (name === 'dd' && ownerParent !== undefined && stack[stack.length - 2] === ownerParent) collecting.set(element, []);
      if (name === 'tr' && hasAncestor(stack, 'tbody') && hasAncestor(stack, 'table', isHistory)) {
        row = [];
        rowElement = element;
        page.rows.push(row);
      }
      if (name === 'td' && row !== undefined) collecting.set(element, []);
    },
    text(text) {
      for (const pieces of collecting.values()) pieces.push(text);
    },
    close(element, stack) {
      const pieces = collecting.get(element);
      if (pieces !== undefined) {
        collecting.delete(element);
        const text = cellText(pieces.join(''));
        if (element.name === 'dt' && text === 'Owner') ownerParent = stack[stack.length - 2];
        else if (element.name === 'dd') {
          page.owner = text;
          ownerParent = undefined;
        } else if (element.name === 'td') row?.push(text);
      }
      if (element === rowElement) row = rowElement = undefined;
      // The Owner dt's siblings end with its parent: no dd follows it.
      if (element === ownerParent) {
        page.owner = '';
        ownerParent = undefined;
      }
    },
  });
  return page;
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
  const text = scanParcelPage(html);
  if (!text.hasHistory) throw missingContent('table#tax-history');

  const parcelId = cellText(text.parcelId ?? '');
  if (parcelId === '') throw new PageFormatError('parcel page has no #parcel[data-parcel-id]');

  const years = text.rows.map((cells, index): TaxYear => {
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

  return { parcelId, owner: text.owner ?? '', years };
}
