/**
 * The demo portal's data: deterministic from a seed, generated on demand so that any
 * well-formed parcel id resolves without a table, plus the spec's example parcels
 * (shared/specs/tax-portal/pages) with exactly their figures.
 */
import { PortalOptionsError } from './errors.js';
import { Draw, mix } from './hash.js';
import { normalizeName, titleCase } from './text.js';
import { BRANDS, COUNTIES, COUNTY_TOWNS, FIRST_NAMES, LETTERS, QUARTERS, STREETS, SURNAMES } from './names.js';

export interface TaxYear {
  year: number;
  billedCents: number;
  paidCents: number;
  /** billed - paid; negative is a credit. */
  balanceCents: number;
  status: 'PAID' | 'DUE' | 'DELINQUENT';
}

export interface Parcel {
  parcelId: string;
  /** Upper-case, single-spaced, as the portal shows it. */
  owner: string;
  /** Upper-case county name. */
  county: string;
  situs: string;
  /** '' when the page shows no Legal line. */
  legal: string;
  /** Newest year first. */
  history: TaxYear[];
}

export interface SampleCustomer {
  customerId: string;
  name: string;
  /** '' for rows looked up by owner name and county. */
  parcelId: string;
  county: string;
  state: string;
  /** '' for some rows. */
  email: string;
}

export interface PortalDatasetOptions {
  /** Seed of every generated figure. Integer 0..2^32-1; default 42. */
  seed?: number;
}

export interface CustomersOptions {
  /** 0-based index of the first customer (customer ids count from start + 1). Default 0. */
  start?: number;
}

export const CURRENT_TAX_YEAR = 2026;
export const FIRST_TAX_YEAR = 2022;
/** Share of well-formed parcel ids the portal does not know (answered 404). */
export const UNKNOWN_PARCEL_SHARE = 0.07;
/** Named owners findable by search, besides the spec's DOUBLE R CATTLE CO. */
export const ROSTER_SIZE = 200;

const PARCEL_ID = /^\d{2}-\d{3}-\d{3}$/;
const ID_SPACE = 100_000_000;
// Odd and not a multiple of 5, so coprime with 10^8: index -> parcel number is a bijection,
// which keeps generated customers' parcel ids distinct without remembering them.
const ID_STRIDE = 7_654_321;
// Permutation indexes from here on belong to roster parcels; customer rows stay below.
const ROSTER_BASE = 90_000_000;
const CANDIDATES_PER_CUSTOMER = 64;

const SPEC_PARCELS: readonly Parcel[] = [
  {
    parcelId: '12-345-678',
    owner: 'DOUBLE R CATTLE CO',
    county: 'LINCOLN',
    situs: '4410 COUNTY ROAD 12, NORTH PLATTE',
    legal: 'SEC 14 TWP 13 RNG 30 SE1/4',
    history: [taxYear(2026, 321040, 0), taxYear(2025, 310522, 100000), taxYear(2024, 299810, 299810), taxYear(2023, 287000, 288200)],
  },
  {
    parcelId: '12-345-679',
    owner: 'DOUBLE R CATTLE CO',
    county: 'LINCOLN',
    situs: 'COUNTY ROAD 12 (PASTURE)',
    legal: 'SEC 15 TWP 13 RNG 30 NE1/4',
    history: [taxYear(2026, 64000, 0), taxYear(2025, 61580, 61580), taxYear(2024, 59920, 59920)],
  },
  {
    parcelId: '07-001-230',
    owner: 'MARIA & JOSE HERNANDEZ',
    county: 'LINCOLN',
    situs: '18 SANDHILLS TRAIL, HERSHEY',
    legal: '',
    history: [taxYear(2026, 81200, 81200), taxYear(2025, 79050, 79050)],
  },
];

export class PortalDataset {
  readonly seed: number;
  /** Spec and roster parcels by id: these win over generated ones. */
  readonly #fixed = new Map<string, Parcel>();
  /** Search key (owner|county) -> parcels. */
  readonly #owners = new Map<string, Parcel[]>();
  readonly #roster: { owner: string; county: string }[] = [];

  constructor(opts: PortalDatasetOptions = {}) {
    for (const key of Object.keys(opts)) {
      if (key !== 'seed') throw new PortalOptionsError(`PortalDataset: unknown option "${key}"`);
    }
    const seed = opts.seed ?? 42;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new PortalOptionsError(`PortalDataset: seed must be an integer from 0 to 4294967295, got ${String(seed)}`);
    }
    this.seed = seed;
    for (const parcel of SPEC_PARCELS) this.#add(deepFreeze(structuredClone(parcel)));
    this.#buildRoster();
  }

  /** The parcel with this exact id ('NN-NNN-NNN'), or undefined when the portal answers 404. */
  parcel(parcelId: string): Parcel | undefined {
    const fixed = this.#fixed.get(parcelId);
    if (fixed !== undefined) return fixed;
    if (!PARCEL_ID.test(parcelId)) return undefined;
    return generateParcel(this.seed, Number(parcelId.replaceAll('-', '')));
  }

  /**
   * Parcels whose owner is exactly `owner` in exactly `county`, both as the portal's pages
   * show them: upper case, single spaces, trimmed (shared/specs/tax-portal/README.md). Any
   * other spelling (`Lincoln`, ` LINCOLN`, `DOUBLE R  CATTLE CO`) finds nothing.
   */
  search(owner: string, county: string): Parcel[] {
    return [...(this.#owners.get(searchKey(owner, county)) ?? [])];
  }

  /** The named owners findable by search (the spec's DOUBLE R CATTLE CO first). */
  roster(): readonly { owner: string; county: string }[] {
    return this.#roster;
  }

  /** The first `n` sample customers from `opts.start`; see customersIter. */
  customers(n: number, opts: CustomersOptions = {}): SampleCustomer[] {
    return [...this.customersIter(n, opts)];
  }

  /**
   * Sample customers, lazily: customer i depends only on the seed and i, so any slice
   * is cheap and stable. About 78% carry a known parcel id (all ratings), 12% only an
   * owner name and county from the roster (search path), 5% an unknown parcel id and
   * 5% a name no search finds (both NOT_FOUND).
   */
  *customersIter(n: number, opts: CustomersOptions = {}): Generator<SampleCustomer> {
    for (const key of Object.keys(opts)) {
      if (key !== 'start') throw new PortalOptionsError(`customers: unknown option "${key}"`);
    }
    const start = opts.start ?? 0;
    if (!Number.isInteger(n) || n < 0) throw new PortalOptionsError(`customers: n must be a non-negative integer, got ${String(n)}`);
    if (!Number.isInteger(start) || start < 0) throw new PortalOptionsError(`customers: start must be a non-negative integer, got ${String(start)}`);
    for (let index = start; index < start + n; index++) yield this.#customer(index);
  }

  #customer(index: number): SampleCustomer {
    const draw = new Draw(mix(this.seed, 0xc0570e, index));
    const customerId = `C${String(index + 1).padStart(6, '0')}`;
    const kind = draw.float();
    const row = (name: string, parcelId: string, county: string): SampleCustomer => ({
      customerId,
      name: titleCase(name),
      parcelId,
      county,
      state: 'NE',
      email: draw.float() < 0.8 ? `${emailLocalPart(name)}@example.com` : '',
    });
    if (kind < 0.78) {
      const known = this.#candidate(index, true);
      if (known?.parcel !== undefined) return row(known.parcel.owner, known.parcelId, known.parcel.county);
    } else if (kind >= 0.95) {
      const county = draw.pick(COUNTIES);
      // No roster name ends in JR, so the suffix guarantees an empty search.
      return row(`${ownerName(draw)} JR`, '', county);
    } else if (kind >= 0.9) {
      const unknown = this.#candidate(index, false);
      if (unknown !== undefined) return row(ownerName(draw), unknown.parcelId, draw.pick(COUNTIES));
    }
    // 0.78..0.90, and the rare customer whose candidates were all known or all unknown.
    const named = draw.pick(this.#roster);
    return row(named.owner, '', named.county);
  }

  /** The first parcel id among this customer's candidates that is known (or unknown). */
  #candidate(index: number, known: boolean): { parcelId: string; parcel: Parcel | undefined } | undefined {
    for (let t = 0; t < CANDIDATES_PER_CUSTOMER; t++) {
      const parcelId = formatParcelId(permute(this.seed, (index * CANDIDATES_PER_CUSTOMER + t) % ROSTER_BASE));
      const parcel = this.parcel(parcelId);
      if ((parcel !== undefined) === known) return { parcelId, parcel };
    }
    return undefined;
  }

  #add(parcel: Parcel): void {
    for (const name of [parcel.owner, parcel.county]) {
      if (name !== normalizeName(name)) throw new Error(`PortalDataset: "${name}" is not in the normal form the portal matches`);
    }
    this.#fixed.set(parcel.parcelId, parcel);
    const key = searchKey(parcel.owner, parcel.county);
    const list = this.#owners.get(key);
    if (list === undefined) {
      this.#owners.set(key, [parcel]);
      this.#roster.push({ owner: parcel.owner, county: parcel.county });
    } else {
      list.push(parcel);
    }
  }

  #buildRoster(): void {
    const draw = new Draw(mix(this.seed, 0x2057e2));
    let next = ROSTER_BASE;
    const wanted = this.#roster.length + ROSTER_SIZE;
    while (this.#roster.length < wanted) {
      const county = draw.pick(COUNTIES);
      const owner = ownerName(draw);
      const count = draw.int(1, 3);
      if (this.#owners.has(searchKey(owner, county))) continue;
      for (let i = 0; i < count; i++) {
        let number = permute(this.seed, next++);
        while (this.#fixed.has(formatParcelId(number))) number = permute(this.seed, next++);
        this.#add(deepFreeze(generateParcel(this.seed, number, { owner, county }) as Parcel));
      }
    }
  }
}

/** A lazy stream of sample customers for `seed` (default 42); see PortalDataset.customersIter. */
export function* customersIter(n: number, opts: CustomersOptions & PortalDatasetOptions = {}): Generator<SampleCustomer> {
  const { seed, ...rest } = opts;
  yield* new PortalDataset(seed === undefined ? {} : { seed }).customersIter(n, rest);
}

/** The search key of an owner and county, as given: the portal matches them exactly. */
export function searchKey(owner: string, county: string): string {
  return `${owner}|${county}`;
}

function taxYear(year: number, billedCents: number, paidCents: number): TaxYear {
  const balanceCents = billedCents - paidCents;
  const status = balanceCents <= 0 ? 'PAID' : year === CURRENT_TAX_YEAR ? 'DUE' : 'DELINQUENT';
  return { year, billedCents, paidCents, balanceCents, status };
}

function permute(seed: number, index: number): number {
  const offset = mix(seed, 0x1d5) % ID_SPACE;
  return (ID_STRIDE * index + offset) % ID_SPACE;
}

function formatParcelId(number: number): string {
  const digits = String(number).padStart(8, '0');
  return `${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}`;
}

/** The parcel behind an 8-digit parcel number, or undefined for the unknown share (unless `fixed` names its owner). */
function generateParcel(seed: number, number: number, fixed?: { owner: string; county: string }): Parcel | undefined {
  const draw = new Draw(mix(seed, 0x9a5ce1, number));
  const unknown = draw.float() < UNKNOWN_PARCEL_SHARE;
  if (unknown && fixed === undefined) return undefined;
  const county = fixed?.county ?? draw.pick(COUNTIES);
  const owner = fixed?.owner ?? ownerName(draw);
  return { parcelId: formatParcelId(number), owner, county, situs: situs(draw, county), legal: legal(draw), history: history(draw) };
}

function ownerName(draw: Draw): string {
  const surname = draw.pick(SURNAMES);
  const letter = draw.pick(LETTERS);
  switch (draw.int(0, 7)) {
    case 0: return `${surname} RANCH`;
    case 1: return `${surname} LAND & CATTLE CO`;
    case 2: {
      const first = draw.int(0, FIRST_NAMES.length - 1);
      const second = (first + draw.int(1, FIRST_NAMES.length - 1)) % FIRST_NAMES.length;
      return `${FIRST_NAMES[first] ?? ''} & ${FIRST_NAMES[second] ?? ''} ${surname}`;
    }
    case 3: return `${surname} FAMILY TRUST`;
    case 4: return `${draw.pick(FIRST_NAMES)} ${letter} ${surname}`;
    case 5: return `${draw.pick(BRANDS)} ${letter} CATTLE CO`;
    case 6: return `${surname} FARMS INC`;
    default: return `${surname} & ${draw.pick(SURNAMES)} PARTNERSHIP`;
  }
}

function situs(draw: Draw, county: string): string {
  const town = draw.pick(COUNTY_TOWNS[county] ?? [county]);
  switch (draw.int(0, 3)) {
    case 0: return `${draw.int(100, 9990)} COUNTY ROAD ${draw.int(1, 60)}, ${town}`;
    case 1: return `${draw.int(1, 1200)} ${draw.pick(STREETS)} ST, ${town}`;
    case 2: return `${draw.int(1, 99)} ${draw.pick(STREETS)} TRAIL, ${town}`;
    default: return `COUNTY ROAD ${draw.int(1, 60)} (PASTURE)`;
  }
}

function legal(draw: Draw): string {
  const r = draw.float();
  if (r < 0.12) return '';
  if (r < 0.3) return `LOT ${draw.int(1, 24)} BLK ${draw.int(1, 40)} ORIGINAL TOWN`;
  return `SEC ${draw.int(1, 36)} TWP ${draw.int(1, 35)} RNG ${draw.int(1, 40)} ${draw.pick(QUARTERS)}`;
}

/**
 * A tax history shaped to give every rating: A (all paid, maybe a credit), B (this
 * year due), C (one small delinquent year), D (two or more delinquent years, or one
 * delinquent year on a large bill).
 */
function history(draw: Draw): TaxYear[] {
  const r = draw.float();
  const profile = r < 0.36 ? 'A' : r < 0.64 ? 'B' : r < 0.84 ? 'C' : r < 0.96 ? 'D' : 'D_LARGE';
  const years = draw.int(profile === 'D' ? 3 : 2, CURRENT_TAX_YEAR - FIRST_TAX_YEAR + 1);

  let billed: number;
  if (profile === 'D_LARGE') billed = draw.int(900_000, 1_800_000);
  else if (profile === 'C') billed = draw.int(30_000, 450_000);
  else {
    const size = draw.float();
    billed = size < 0.3 ? draw.int(30_000, 150_000) : size < 0.8 ? draw.int(150_000, 600_000) : draw.int(600_000, 1_800_000);
  }

  // Indexes into the history (0 = current year) that are delinquent.
  const earlier = Array.from({ length: years - 1 }, (_, i) => i + 1);
  const delinquent = new Set<number>();
  if (profile === 'C' || profile === 'D_LARGE') delinquent.add(draw.float() < 0.6 ? 1 : draw.pick(earlier));
  if (profile === 'D') {
    const wanted = draw.int(2, earlier.length);
    while (delinquent.size < wanted) delinquent.add(draw.pick(earlier));
  }
  const currentDue = profile === 'B' || profile === 'D' || profile === 'D_LARGE' || (profile === 'C' && draw.float() < 0.5);

  const rows: TaxYear[] = [];
  for (let i = 0; i < years; i++) {
    if (i > 0) billed = Math.round((billed * draw.int(940, 990)) / 1000);
    let paid: number;
    if (i === 0 && currentDue) paid = profile === 'D_LARGE' || draw.float() < 0.7 ? 0 : Math.floor(billed / 2);
    else if (delinquent.has(i)) paid = profile === 'D_LARGE' || draw.float() < 0.6 ? 0 : Math.floor((billed * draw.int(10, 80)) / 100);
    // An occasional overpayment leaves a credit (a negative balance).
    else paid = billed + (draw.float() < 0.08 ? draw.int(500, 6_000) : 0);
    rows.push(taxYear(CURRENT_TAX_YEAR - i, billed, paid));
  }
  return rows;
}

function emailLocalPart(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.+|\.+$/g, '') || 'owner';
}

function deepFreeze(parcel: Parcel): Parcel {
  for (const row of parcel.history) Object.freeze(row);
  Object.freeze(parcel.history);
  return Object.freeze(parcel);
}
