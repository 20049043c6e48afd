/**
 * Issue 17: a sheet typed by people, with `cherry`, `keith` and `  Lincoln ` in its County column,
 * came out all NOT_FOUND for the customers looked up by name against a portal that matches
 * counties exactly, as the spec's pages show them. The demo portal in the stack matches owner and
 * county exactly; the report must say what the tests' own oracle says for every row.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { PortalDataset, type SampleCustomer } from '../../portal/dataset.js';
import { writeCustomerWorkbook } from '../../samples/generate-workbook.js';
import { expectedFor } from '../support/expected.js';
import { outcome, readReport, reportRows, upload } from '../support/runs.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

const lower = (text: string): string => text.toLowerCase();
const title = (text: string): string => text.toLowerCase().replace(/(^|\s)(\S)/g, (_m, space: string, letter: string) => space + letter.toUpperCase());
const padded = (text: string): string => `  ${title(text).replaceAll(' ', '  ')} `;
/** How people type a county or a name: each row gets one of these, in turn. */
const SPELLINGS: readonly ((text: string) => string)[] = [lower, title, padded, (text) => `\t${lower(text)}  `];

/**
 * Customers looked up by name (named owners of the portal, in counties spelled as people do,
 * the three first), a few names no search finds, and rows with a parcel id.
 */
function messyCustomers(dataset: PortalDataset): { rows: SampleCustomer[]; named: Set<string> } {
  const rows: SampleCustomer[] = [];
  const named = new Set<string>();
  const add = (name: string, parcelId: string, county: string): string => {
    const customerId = `N${String(rows.length + 1).padStart(4, '0')}`;
    rows.push({ customerId, name, parcelId, county, state: 'NE', email: '' });
    return customerId;
  };
  named.add(add('Double R Cattle Co', '', '  Lincoln '));
  named.add(add('maria & jose hernandez', '', 'lincoln'));
  const roster = dataset.roster();
  for (const county of ['CHERRY', 'KEITH', 'LINCOLN', 'CUSTER', 'LOGAN']) {
    roster.filter((r) => r.county === county).slice(0, 4).forEach((r, i) => {
      const spell = SPELLINGS[(i + rows.length) % SPELLINGS.length]!;
      // The spellings for its counties; the others in turn.
      const countyText = county === 'CHERRY' ? 'cherry' : county === 'KEITH' ? 'keith' : county === 'LINCOLN' ? '  Lincoln ' : spell(county);
      named.add(add(SPELLINGS[(i + 1) % SPELLINGS.length]!(r.owner), '', countyText));
    });
  }
  // Names no search finds, and customers with a parcel id, whatever their county says.
  const sample = dataset.customers(60, { start: 500 });
  sample.filter((c) => c.parcelId === '').slice(0, 6).forEach((c, i) => add(padded(c.name), '', SPELLINGS[i % SPELLINGS.length]!(c.county)));
  sample.filter((c) => c.parcelId !== '').slice(0, 12).forEach((c, i) => add(c.name, i % 3 === 0 ? ` ${c.parcelId} ` : c.parcelId, SPELLINGS[i % SPELLINGS.length]!(c.county)));
  return { rows, named };
}

describe('a sheet whose counties and owners are not upper case, against a portal that matches them exactly', () => {
  const dataset = new PortalDataset({ seed: 42 });
  const { rows: customers, named } = messyCustomers(dataset);

  it('rates every customer as the oracle says, from the portal data and the spec table', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'drover-counties-')), 'typed by people.xlsx');
    await writeCustomerWorkbook(path, customers);

    // The workbook keeps the spellings, padding included: what the pipeline reads is what people typed.
    const written = new ExcelJS.Workbook();
    await written.xlsx.readFile(path);
    const counties = written.getWorksheet('Customers')!.getColumn(4).values.slice(2).map(String);
    expect(counties).toEqual(customers.map((c) => c.county));
    expect(counties).toEqual(expect.arrayContaining(['cherry', 'keith', '  Lincoln ']));

    const runId = await upload(stack, 'incoming/typed by people.xlsx', readFileSync(path));
    const { result, error } = await outcome(stack, runId);
    expect(error).toBeUndefined();
    expect(result!.customers).toBe(customers.length);
    expect(result!.rejected).toBe(0);

    const rows = reportRows((await readReport(stack, result!.reportKey)).book);
    const got = rows.map((row) => ({
      customerId: row['Customer ID'],
      rating: row.Rating,
      totalDueCents: Math.round(Number(row['Total Due']) * 100),
      delinquentYears: row['Delinquent Years'],
      parcelIds: String(row['Parcel IDs'] ?? ''),
    }));
    const want = customers.map((customer) => {
      const expected = expectedFor(dataset, customer);
      return {
        customerId: customer.customerId,
        rating: expected.rating,
        totalDueCents: expected.totalDueCents,
        delinquentYears: expected.delinquentYears,
        parcelIds: expected.parcelIds.join(', '),
      };
    });
    expect(got).toEqual(want);

    // Every named owner was found, in every spelling of its county and name, and the rows rate
    // more than one way: the sheet tests the lookups, not only NOT_FOUND.
    const owners = want.filter((w) => named.has(w.customerId));
    expect(owners.length).toBeGreaterThanOrEqual(20);
    expect(owners.filter((w) => w.rating === 'NOT_FOUND')).toEqual([]);
    expect(new Set(owners.map((w) => w.rating)).size).toBeGreaterThanOrEqual(3);
    const counts: Record<string, number> = {};
    for (const w of want) counts[w.rating] = (counts[w.rating] ?? 0) + 1;
    expect(result!.byRating).toEqual(expect.objectContaining(counts));
    expect(result!.byRating.ERROR ?? 0).toBe(0);
  }, 240_000);
});
