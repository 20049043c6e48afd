import { describe, expect, it } from '@jest/globals';
import { customersIter, PortalDataset, ROSTER_SIZE, type Parcel, type SampleCustomer } from '../../portal/dataset.js';
import { specNameForm } from '../support/expected.js';
import { rate } from './support.js';
import { thrown } from '../support/thrown.js';

const dataset = new PortalDataset();

function lookup(ds: PortalDataset, customer: SampleCustomer): Parcel[] {
  if (customer.parcelId !== '') {
    const parcel = ds.parcel(customer.parcelId);
    return parcel === undefined ? [] : [parcel];
  }
  return ds.search(specNameForm(customer.name), specNameForm(customer.county));
}

describe('PortalDataset: the spec parcels', () => {
  it('has 12-345-678 with the figures of pages/parcel-delinquent.html', () => {
    const parcel = dataset.parcel('12-345-678');
    expect(parcel).toEqual({
      parcelId: '12-345-678',
      owner: 'DOUBLE R CATTLE CO',
      county: 'LINCOLN',
      situs: '4410 COUNTY ROAD 12, NORTH PLATTE',
      legal: 'SEC 14 TWP 13 RNG 30 SE1/4',
      history: [
        { year: 2026, billedCents: 321040, paidCents: 0, balanceCents: 321040, status: 'DUE' },
        { year: 2025, billedCents: 310522, paidCents: 100000, balanceCents: 210522, status: 'DELINQUENT' },
        { year: 2024, billedCents: 299810, paidCents: 299810, balanceCents: 0, status: 'PAID' },
        { year: 2023, billedCents: 287000, paidCents: 288200, balanceCents: -1200, status: 'PAID' },
      ],
    });
  });

  it('has 07-001-230 with the figures of pages/parcel-paid.html', () => {
    expect(dataset.parcel('07-001-230')).toEqual({
      parcelId: '07-001-230',
      owner: 'MARIA & JOSE HERNANDEZ',
      county: 'LINCOLN',
      situs: '18 SANDHILLS TRAIL, HERSHEY',
      legal: '',
      history: [
        { year: 2026, billedCents: 81200, paidCents: 81200, balanceCents: 0, status: 'PAID' },
        { year: 2025, billedCents: 79050, paidCents: 79050, balanceCents: 0, status: 'PAID' },
      ],
    });
  });

  it('finds DOUBLE R CATTLE CO in LINCOLN on 12-345-678 and 12-345-679', () => {
    const found = dataset.search('DOUBLE R CATTLE CO', 'LINCOLN');
    expect(found.map((p) => [p.parcelId, p.situs])).toEqual([
      ['12-345-678', '4410 COUNTY ROAD 12, NORTH PLATTE'],
      ['12-345-679', 'COUNTY ROAD 12 (PASTURE)'],
    ]);
    expect(rate(found)).toBe('C');
    expect(dataset.search('DOUBLE R CATTLE CO', 'CUSTER')).toEqual([]);
    expect(dataset.search('NOBODY IN PARTICULAR', 'LINCOLN')).toEqual([]);
  });

  it('matches owner and county exactly, as its pages spell them: any other spelling finds nothing', () => {
    for (const [owner, county] of [
      ['DOUBLE R CATTLE CO', 'lincoln'],
      ['DOUBLE R CATTLE CO', 'Lincoln'],
      ['DOUBLE R CATTLE CO', '  LINCOLN '],
      ['Double R Cattle Co', 'LINCOLN'],
      ['DOUBLE R  CATTLE CO', 'LINCOLN'],
      [' DOUBLE R CATTLE CO', 'LINCOLN'],
      ['', ''],
    ] as const) {
      expect(dataset.search(owner, county)).toEqual([]);
    }
  });
});

describe('PortalDataset: generated parcels', () => {
  it('resolves well-formed ids on demand, about 7% of them unknown, and no malformed id', () => {
    let unknown = 0;
    const misnamed: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const digits = String(31_000_000 + i * 7919);
      const id = `${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}`;
      const parcel = dataset.parcel(id);
      if (parcel === undefined) unknown++;
      else if (parcel.parcelId !== id) misnamed.push(id);
    }
    expect(misnamed).toEqual([]);
    expect(unknown).toBeGreaterThan(250);
    expect(unknown).toBeLessThan(450);
    for (const bad of ['12345678', '12-345-67', '12-345-6789', ' 12-345-678', '', 'ab-cde-fgh']) expect(dataset.parcel(bad)).toBeUndefined();
  });

  it('writes histories the spec allows: years 2026 down, DUE/PAID this year, PAID/DELINQUENT before, balance = billed - paid', () => {
    let credits = 0;
    let rows = 0;
    const wrong: unknown[] = [];
    for (const customer of dataset.customersIter(3000)) {
      for (const parcel of lookup(dataset, customer)) {
        if (parcel.history.length < 2) wrong.push(parcel);
        parcel.history.forEach((row, i) => {
          rows++;
          const status = i === 0 ? (row.balanceCents > 0 ? 'DUE' : 'PAID') : row.balanceCents > 0 ? 'DELINQUENT' : 'PAID';
          const ok =
            row.year === 2026 - i &&
            row.year >= 2022 &&
            Number.isInteger(row.billedCents) &&
            Number.isInteger(row.paidCents) &&
            row.balanceCents === row.billedCents - row.paidCents &&
            row.status === status;
          if (!ok) wrong.push({ parcelId: parcel.parcelId, row });
          if (row.balanceCents < 0) credits++;
        });
      }
    }
    expect(wrong).toEqual([]);
    expect(rows).toBeGreaterThan(8000);
    expect(credits).toBeGreaterThan(10);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = new PortalDataset({ seed: 42 });
    const other = new PortalDataset({ seed: 7 });
    const ids = dataset.customers(200).map((c) => c.parcelId).filter((id) => id !== '');
    let differ = 0;
    for (const id of ids) {
      expect(again.parcel(id)).toEqual(dataset.parcel(id));
      if (JSON.stringify(other.parcel(id)) !== JSON.stringify(dataset.parcel(id))) differ++;
    }
    expect(differ).toBeGreaterThan(ids.length * 0.9);
    expect(again.roster()).toEqual(dataset.roster());
  });
});

describe('PortalDataset: roster', () => {
  it('has ~200 named owners across Nebraska counties, each findable with 1 to 3 parcels', () => {
    const roster = dataset.roster();
    // The spec's two LINCOLN owners come first.
    expect(roster.slice(0, 2)).toEqual([
      { owner: 'DOUBLE R CATTLE CO', county: 'LINCOLN' },
      { owner: 'MARIA & JOSE HERNANDEZ', county: 'LINCOLN' },
    ]);
    expect(roster).toHaveLength(ROSTER_SIZE + 2);
    const counties = new Set(roster.map((r) => r.county));
    for (const county of ['LINCOLN', 'CUSTER', 'CHERRY', 'KEITH']) expect(counties.has(county)).toBe(true);
    for (const { owner, county } of roster) {
      expect([owner, county]).toEqual([specNameForm(owner), specNameForm(county)]);
      expect(dataset.search(` ${owner.toLowerCase().replaceAll(' ', '  ')} `, county.toLowerCase())).toEqual([]);
      const parcels = dataset.search(owner, county);
      expect(parcels.length).toBeGreaterThanOrEqual(1);
      expect(parcels.length).toBeLessThanOrEqual(3);
      for (const parcel of parcels) {
        expect(parcel.owner).toBe(owner);
        expect(dataset.parcel(parcel.parcelId)).toBe(parcel);
      }
    }
  });
});

describe('PortalDataset: customers', () => {
  it('numbers customers C000001 on, stable across calls, slices and the standalone generator', () => {
    const first = dataset.customers(30);
    expect(first.map((c) => c.customerId).slice(0, 3)).toEqual(['C000001', 'C000002', 'C000003']);
    expect(new PortalDataset({ seed: 42 }).customers(30)).toEqual(first);
    expect(dataset.customers(10, { start: 20 })).toEqual(first.slice(20));
    expect([...customersIter(30)]).toEqual(first);
    expect([...customersIter(5, { seed: 7 })]).toEqual(new PortalDataset({ seed: 7 }).customers(5));
    expect(dataset.customers(1, { start: 999_999 })[0]?.customerId).toBe('C1000000');
  });

  it('gives every rating and NOT_FOUND by both paths, in a sensible mix', () => {
    const counts: Record<string, number> = {};
    const customers = dataset.customers(2000);
    for (const customer of customers) {
      const key = `${rate(lookup(dataset, customer))}/${customer.parcelId === '' ? 'search' : 'parcel'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    for (const key of ['A/parcel', 'B/parcel', 'C/parcel', 'D/parcel', 'NOT_FOUND/parcel', 'A/search', 'B/search', 'NOT_FOUND/search']) {
      expect(counts[key] ?? 0).toBeGreaterThan(20);
    }
    const withParcel = customers.filter((c) => c.parcelId !== '').length;
    expect(withParcel).toBeGreaterThan(1500);
    expect(withParcel).toBeLessThan(1800);
  });

  it('gives distinct customer and parcel ids, names in mixed case, Nebraska rows', () => {
    const ids = new Set<string>();
    const parcels = new Set<string>();
    const wrong: SampleCustomer[] = [];
    let rows = 0;
    let withParcel = 0;
    for (const customer of customersIter(20_000, { start: 500_000 })) {
      rows++;
      ids.add(customer.customerId);
      if (customer.parcelId !== '') {
        withParcel++;
        parcels.add(customer.parcelId);
      }
      const ok = customer.state === 'NE' && /^[A-Z]+$/.test(customer.county) && customer.name !== customer.name.toUpperCase();
      if (!ok) wrong.push(customer);
    }
    expect(wrong).toEqual([]);
    expect(rows).toBe(20_000);
    expect(ids.size).toBe(20_000);
    expect(parcels.size).toBe(withParcel);
    expect(ids.has('C500001')).toBe(true);
  });

  it('refuses bad arguments', () => {
    const refusal = (message: string) => ({ name: 'PortalOptionsError', code: 'PORTAL_OPTIONS', message });
    expect(thrown(() => new PortalDataset({ seed: -1 }))).toMatchObject(refusal('PortalDataset: seed must be an integer from 0 to 4294967295, got -1'));
    expect(thrown(() => new PortalDataset({ sed: 1 } as never))).toMatchObject(refusal('PortalDataset: unknown option "sed"'));
    expect(thrown(() => dataset.customers(-1))).toMatchObject(refusal('customers: n must be a non-negative integer, got -1'));
    expect(thrown(() => dataset.customers(1, { start: 1.5 }))).toMatchObject(refusal('customers: start must be a non-negative integer, got 1.5'));
  });
});
