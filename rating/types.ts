/** Every rating, in the order the report and the email list them. */
export const RATINGS = ['A', 'B', 'C', 'D', 'NOT_FOUND', 'ERROR'] as const;

export type Rating = (typeof RATINGS)[number];

/** A run's figures: what the report's Summary sheet, its S3 metadata and the email show. */
export interface ReportTotals {
  customers: number;
  byRating: Record<Rating, number>;
  /** Integer cents. */
  totalDueCents: number;
  rejected: number;
}

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
