export type Rating = 'A' | 'B' | 'C' | 'D' | 'NOT_FOUND' | 'ERROR';

/** What the scraper learned about one customer, before rating. */
export interface TaxLookup {
  status: 'FOUND' | 'NOT_FOUND' | 'ERROR';
  /** Parcels that contributed, in the order read. */
  parcelIds: string[];
  /** Sum of Balance over every year and parcel, in cents. */
  totalDueCents: number;
  /** Distinct tax years with status DELINQUENT on any parcel. */
  delinquentYears: number;
  /** HTTP requests made for this customer, retries included. */
  attempts: number;
  /** Why the lookup failed, when status is ERROR. */
  error?: string;
}

/** One customer's result as stored in the run table and written to the report. */
export interface CustomerResult extends TaxLookup {
  rating: Rating;
  /** ISO 8601 UTC. */
  checkedAt: string;
}
