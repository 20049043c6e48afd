import { PortalDataset, type Parcel, type SampleCustomer } from '../../portal/dataset.js';
import { rate } from '../../rating/policy.js';
import type { Rating, TaxLookup } from '../../rating/types.js';

export interface Expected {
  rating: Rating;
  totalDueCents: number;
  delinquentYears: number;
  parcelIds: string[];
}

/** What the report must say for a sample customer, computed from the portal's own data, not from the pipeline. */
export function expectedFor(dataset: PortalDataset, customer: SampleCustomer): Expected {
  let parcels: Parcel[];
  if (customer.parcelId) {
    const p = dataset.parcel(customer.parcelId);
    parcels = p ? [p] : [];
  } else {
    parcels = dataset.search(customer.name.replace(/\s+/g, ' ').trim().toUpperCase(), customer.county);
  }
  const totalDueCents = parcels.flatMap((p) => p.history).reduce((n, y) => n + y.balanceCents, 0);
  const delinquentYears = new Set(parcels.flatMap((p) => p.history.filter((y) => y.status === 'DELINQUENT').map((y) => y.year))).size;
  const lookup: TaxLookup = {
    status: parcels.length ? 'FOUND' : 'NOT_FOUND',
    parcelIds: parcels.map((p) => p.parcelId),
    totalDueCents,
    delinquentYears,
    attempts: 1,
  };
  return { rating: rate(lookup), totalDueCents, delinquentYears, parcelIds: lookup.parcelIds };
}
