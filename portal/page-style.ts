/**
 * How a parcel page is laid out. Real county sites differ in small ways (a nav bar, a
 * footer, `—` or `$0.00` for nothing); the demo portal varies them per parcel so a
 * scraper cannot lean on one layout. The spec's sample parcels keep their sample's look.
 */
import { fnv1a, mix } from './hash.js';

/**
 * Where a zero amount is written `—` instead of `$0.00`: never, on the newest year's
 * balance only, on every balance, or in every money cell.
 */
export type ZeroStyle = 'dollars' | 'dash-current-balance' | 'dash-balances' | 'dash-all';

export interface PageStyle {
  /** A nav bar in the header. */
  nav: boolean;
  /** A disclaimer footer after main. */
  footer: boolean;
  zero: ZeroStyle;
}

export const ZERO_STYLES: readonly ZeroStyle[] = ['dollars', 'dash-current-balance', 'dash-balances', 'dash-all'];

/** The style of pages/parcel-delinquent.html: also the default when none is given. */
export const SAMPLE_DELINQUENT_STYLE: PageStyle = Object.freeze({ nav: true, footer: true, zero: 'dollars' });

const SAMPLE_STYLES: ReadonlyMap<string, PageStyle> = new Map([
  ['12-345-678', SAMPLE_DELINQUENT_STYLE],
  ['07-001-230', Object.freeze({ nav: false, footer: false, zero: 'dash-current-balance' as const })],
]);

/** The layout of a parcel's page: fixed for the spec's samples, else a function of the seed and id. */
export function pageStyle(parcelId: string, seed: number): PageStyle {
  const sample = SAMPLE_STYLES.get(parcelId);
  if (sample !== undefined) return sample;
  const h = mix(seed, 0x57e1e, fnv1a(parcelId));
  return { nav: (h & 1) === 1, footer: (h & 2) === 2, zero: ZERO_STYLES[(h >>> 2) % ZERO_STYLES.length] ?? 'dollars' };
}
