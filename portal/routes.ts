/** What the portal answers to a request when nothing goes wrong: routing only, no faults. */
import type { PortalDataset } from './dataset.js';
import { pageStyle } from './page-style.js';
import { errorPage, homePage, notFoundPage, parcelPage, searchPage } from './render.js';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const PARCEL_PATH = /^\/parcels\/([^/]+)$/;

/** Routes `GET /`, `GET /parcels/{parcelId}` and `GET /search?owner=&county=`. */
export function route(dataset: PortalDataset, method: string, url: URL): Answer {
  if (method !== 'GET' && method !== 'HEAD') {
    return { status: 405, body: errorPage(405, 'Only GET is supported.'), headers: { allow: 'GET, HEAD' } };
  }
  if (url.pathname === '/') return { status: 200, body: homePage() };
  if (url.pathname === '/search') {
    // Matched exactly, as the spec allows a portal to: a client that does not send the
    // normal form (upper case, single spaces, trimmed) finds nothing.
    const owner = url.searchParams.get('owner') ?? '';
    const county = url.searchParams.get('county') ?? '';
    return { status: 200, body: searchPage(owner, county, dataset.search(owner, county)) };
  }
  const match = PARCEL_PATH.exec(url.pathname);
  if (match !== null) {
    const parcel = dataset.parcel(decode(match[1] ?? ''));
    return parcel === undefined
      ? { status: 404, body: notFoundPage() }
      : { status: 200, body: parcelPage(parcel, pageStyle(parcel.parcelId, dataset.seed)) };
  }
  return { status: 404, body: errorPage(404, 'No such page.') };
}

/** A path segment URL-decoded; a malformed escape names no parcel. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
