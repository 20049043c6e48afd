import type { TaxLookup } from '../rating/types.js';
import type { CustomerRecord } from '../sheet/types.js';
import { resolveTaxClientOptions, type TaxClientOptions } from './client-options.js';
import { createPageFetcher, type FetchOutcome } from './page-fetcher.js';
import { parseParcelPage, type ParcelPage } from './parse-parcel-page.js';
import { parseSearchPage } from './parse-search-page.js';

export type { TaxClientOptions } from './client-options.js';

/** The customer fields a lookup needs. */
export type LookupCustomer = Pick<CustomerRecord, 'parcelId' | 'searchName' | 'county'>;

export interface TaxClient {
  /**
   * Looks one customer up on the portal. With a parcel id: that parcel alone; without: the
   * owner search (by name and county), then every parcel listed, summed. Source failures
   * come back as `status: 'ERROR'` with the reason; the promise rejects only if a hook does.
   */
  lookup(customer: LookupCustomer): Promise<TaxLookup>;
  /** Closes its connections to the portal. */
  close(): Promise<void>;
}

/** The portal's owner search wants upper case and single spaces. */
function ownerQuery(name: string): string {
  return name.replace(/\s+/g, ' ').trim().toUpperCase();
}

function notFound(attempts: number): TaxLookup {
  return { status: 'NOT_FOUND', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts };
}

function failed(error: string, attempts: number): TaxLookup {
  return { status: 'ERROR', parcelIds: [], totalDueCents: 0, delinquentYears: 0, attempts, error };
}

/** Sums balances over every year and parcel; counts each delinquent tax year once. */
function summarise(pages: ParcelPage[], attempts: number): TaxLookup {
  let totalDueCents = 0;
  const delinquent = new Set<number>();
  for (const page of pages) {
    for (const year of page.years) {
      totalDueCents += year.balanceCents;
      if (year.status === 'DELINQUENT') delinquent.add(year.year);
    }
  }
  return {
    status: 'FOUND',
    parcelIds: pages.map((page) => page.parcelId),
    totalDueCents,
    delinquentYears: delinquent.size,
    attempts,
  };
}

/**
 * Creates a client for a portal that follows shared/specs/tax-portal/README.md.
 * One client shares its concurrency limit and Retry-After pause across all its lookups.
 *
 * @throws {InvalidOptionsError} on bad options.
 */
export function createTaxClient(options: TaxClientOptions): TaxClient {
  const fetcher = createPageFetcher(resolveTaxClientOptions(options));

  const readParcel = (parcelId: string, notFoundIsAnswer: boolean): Promise<FetchOutcome<ParcelPage>> =>
    fetcher.fetch(`parcels/${encodeURIComponent(parcelId)}`, parseParcelPage, notFoundIsAnswer);

  async function byParcel(parcelId: string): Promise<TaxLookup> {
    const outcome = await readParcel(parcelId, true);
    if (outcome.kind === 'not-found') return notFound(outcome.attempts);
    if (outcome.kind === 'error') return failed(outcome.error, outcome.attempts);
    return summarise([outcome.value], outcome.attempts);
  }

  async function byOwner(searchName: string, county: string): Promise<TaxLookup> {
    const query = `owner=${encodeURIComponent(ownerQuery(searchName))}&county=${encodeURIComponent(county.trim())}`;
    const search = await fetcher.fetch(`search?${query}`, parseSearchPage, false);
    if (search.kind === 'error') return failed(search.error, search.attempts);
    if (search.kind === 'not-found' || search.value.length === 0) return notFound(search.attempts);

    // All parcels are read even if one fails, so the attempt count is complete.
    const outcomes = await Promise.all(search.value.map((parcelId) => readParcel(parcelId, true)));
    const attempts = outcomes.reduce((sum, outcome) => sum + outcome.attempts, search.attempts);
    const pages: ParcelPage[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      // A parcel the search lists but cannot be read leaves the sum unknown.
      if (outcome.kind === 'error') return failed(`parcel ${search.value[index]}: ${outcome.error}`, attempts);
      if (outcome.kind === 'not-found') return failed(`parcel ${search.value[index]} listed by the search answered 404`, attempts);
      pages.push(outcome.value);
    }
    return summarise(pages, attempts);
  }

  return {
    async lookup(customer) {
      const parcelId = customer.parcelId.trim();
      if (parcelId !== '') return byParcel(parcelId);
      if (customer.searchName.trim() === '') return failed('customer has neither a parcel id nor an owner name', 0);
      return byOwner(customer.searchName, customer.county);
    },
    close: () => fetcher.close(),
  };
}
