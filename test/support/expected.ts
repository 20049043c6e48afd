/**
 * The tests' own oracle: what the report must say for a customer row, worked out from the demo
 * portal's dataset and the spec's rating table (shared/specs/tax-portal/README.md), in test code.
 * It imports nothing from rating/, sheet/ or scraper/, so a bug there cannot hide behind it.
 */
import type { Parcel, PortalDataset } from '../../portal/dataset.js';

export type ExpectedRating = 'A' | 'B' | 'C' | 'D' | 'NOT_FOUND';

export interface Expected {
  rating: ExpectedRating;
  totalDueCents: number;
  delinquentYears: number;
  parcelIds: string[];
}

/** A customer row as written in the sheet: any case, any spacing. */
export interface SheetCustomer {
  name: string;
  /** '' for rows looked up by owner name and county. */
  parcelId: string;
  county: string;
}

/** $10,000 in cents: the spec's line between C and D for a customer with one delinquent year. */
const C_LIMIT_CENTS = 1_000_000;

/**
 * An owner name or county as the spec says it is sent: upper case, single spaces, trimmed
 * (`  Lincoln ` is `LINCOLN`). Written here, apart from the production normaliser.
 */
export function specNameForm(text: string): string {
  return text
    .split(/\s+/)
    .filter((word) => word !== '')
    .join(' ')
    .toUpperCase();
}

/** A parcel id as the sheet's cleansing leaves it: its digits and inner dashes (ASCII input). */
export function specParcelForm(text: string): string {
  return text.replace(/[^0-9-]/g, '').replace(/^-+/, '').replace(/-+$/, '');
}

/** The spec's rating table, row by row, the first row that applies winning. */
export function specRating(found: boolean, totalDueCents: number, delinquentYears: number): ExpectedRating {
  if (!found) return 'NOT_FOUND';
  if (totalDueCents <= 0) return 'A';
  if (delinquentYears === 0) return 'B';
  if (delinquentYears === 1 && totalDueCents < C_LIMIT_CENTS) return 'C';
  if (delinquentYears >= 2 || (totalDueCents >= C_LIMIT_CENTS && delinquentYears >= 1)) return 'D';
  throw new Error(`no row of the rating table applies to ${totalDueCents} cents due over ${delinquentYears} delinquent years`);
}

/** What the report must say for a customer row, from the portal's own data, not from the pipeline. */
export function expectedFor(dataset: PortalDataset, customer: SheetCustomer): Expected {
  const parcelId = specParcelForm(customer.parcelId);
  let parcels: Parcel[];
  if (parcelId !== '') {
    const parcel = dataset.parcel(parcelId);
    parcels = parcel === undefined ? [] : [parcel];
  } else {
    parcels = dataset.search(specNameForm(customer.name), specNameForm(customer.county));
  }
  return { ...figuresOf(parcels), parcelIds: parcels.map((parcel) => parcel.parcelId) };
}

/** A customer's figures summed over its parcels, and the spec's rating of them (no parcel: NOT_FOUND). */
export function figuresOf(parcels: readonly Parcel[]): Omit<Expected, 'parcelIds'> {
  let totalDueCents = 0;
  const delinquent = new Set<number>();
  for (const parcel of parcels) {
    for (const year of parcel.history) {
      totalDueCents += year.balanceCents;
      if (year.status === 'DELINQUENT') delinquent.add(year.year);
    }
  }
  return { rating: specRating(parcels.length > 0, totalDueCents, delinquent.size), totalDueCents, delinquentYears: delinquent.size };
}
