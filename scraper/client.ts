import type { TaxLookup } from '../rating/types.js';
import type { CustomerRecord } from '../sheet/types.js';
import { resolveTaxClientOptions, type TaxClientOptions } from './client-options.js';
import { createPageFetcher, type FetchOutcome } from './page-fetcher.js';
import { parseParcelPage, type ParcelPage } from './parse-parcel-page.js';
import { parseSearchPage } from './parse-search-page.js';
import { countyNormalForm, ownerNormalForm } from './query-normal-form.js';

export type { TaxClientOptions } from './client-options.js';

/** The customer fields a lookup needs. */
export type LookupCustomer = Pick<CustomerRecord, 'parcelId' | 'searchName' | 'county'>;

export interface TaxClient {
  /**
   * Looks one customer up on the portal. With a parcel id: that parcel alone, the id sent as
   * the sheet's cleansing left it; without: the owner search (by name and county, each sent in
   * the spec's normal form, see query-normal-form.ts), then every parcel listed, summed. Source failures
   * come back as `status: 'ERROR'` with the reason; the promise rejects only if a hook does.
   */
  lookup(customer: LookupCustomer): Promise<TaxLookup>;
  /** Closes its connections to the portal. */
  close(): Promise<void>;
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

  /** `owner` and `county` in the spec's normal form (query-normal-form.ts). */
  async function byOwner(owner: string, county: string): Promise<TaxLookup> {
    const query = `owner=${encodeURIComponent(owner)}&county=${encodeURIComponent(county)}`;
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
      // The sheet's cleansing left the parcel id in its normal form: it is sent as it is.
      if (customer.parcelId !== '') return byParcel(customer.parcelId);
      const owner = ownerNormalForm(customer.searchName);
      if (owner === '') return failed('customer has neither a parcel id nor an owner name', 0);
      return byOwner(owner, countyNormalForm(customer.county));
    },
    close: () => fetcher.close(),
  };
}
