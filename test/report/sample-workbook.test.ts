import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { writeCustomerWorkbook, MESSY_TITLE, type SampleRow } from '../../samples/generate-workbook.js';
// tsconfig does not list samples/, so this import is what compiles the CLI into dist/.
import type { main as samplesCli } from '../../samples/main.js';
import { PortalDataset } from '../../portal/dataset.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samples-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROWS: SampleRow[] = [
  { customerId: 'C000001', name: 'Double R Cattle Co', parcelId: '12-345-678', county: 'Cherry', state: 'NE', email: 'rr@example.com' },
  { customerId: 'C000002', name: 'Anna Lee', parcelId: '', county: 'Custer', state: 'NE', email: '' },
  { customerId: 'C000003', name: 'Bob Smith', parcelId: '87654321', county: 'Holt', state: 'NE', email: 'bob@example.com' },
  { customerId: 'C000004', name: 'Cara Diaz', parcelId: '01234567', county: 'Holt', state: 'NE', email: '' },
];

async function read(path: string): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  return sheet;
}

function values(ws: ExcelJS.Worksheet, rowNumber: number): unknown[] {
  return (ws.getRow(rowNumber).values as unknown[]).slice(1);
}

/** What exceljs reads back for these values: empty cells are not written, so no trailing ones. */
function asRead(row: string[]): unknown[] {
  const out: unknown[] = row.map((v) => (v === '' ? undefined : v));
  while (out.length > 0 && out[out.length - 1] === undefined) out.pop();
  return out;
}

describe('writeCustomerWorkbook', () => {
  it('writes a tidy sheet named Customers', async () => {
    const path = join(dir, 'clean.xlsx');
    expect(await writeCustomerWorkbook(path, ROWS.slice(0, 2))).toBe(2);
    const ws = await read(path);
    expect(ws.name).toBe('Customers');
    expect(ws.rowCount).toBe(3);
    expect(values(ws, 1)).toEqual(['Customer ID', 'Name', 'Parcel ID', 'County', 'State', 'Email']);
    expect(values(ws, 2)).toEqual(['C000001', 'Double R Cattle Co', '12-345-678', 'Cherry', 'NE', 'rr@example.com']);
    expect(values(ws, 3)).toEqual(['C000002', 'Anna Lee', undefined, 'Custer', 'NE']);
  });

  it('writes a messy sheet from an async iterable', async () => {
    const path = join(dir, 'messy.xlsx');
    async function* rows(): AsyncGenerator<SampleRow> {
      yield* ROWS;
    }
    expect(await writeCustomerWorkbook(path, rows(), { messy: true, exportedAt: new Date('2026-03-01T00:00:00Z') })).toBe(4);
    const ws = await read(path);
    expect(ws.name).toBe('Export');
    expect(values(ws, 1)).toEqual([MESSY_TITLE]);
    expect(values(ws, 2)).toEqual(['Exported', new Date('2026-03-01T00:00:00Z')]);
    expect(values(ws, 3)).toEqual([]);
    expect(values(ws, 4)).toEqual(['Cust ID', 'Owner Name', 'APN', 'County', 'ST', 'E-mail', 'Region Notes']);
    expect(values(ws, 5)).toEqual(['C000001', 'Double R Cattle Co', '12-345-678', 'Cherry', 'NE', 'rr@example.com']);
    expect(values(ws, 6)).toEqual(['C000002', 'Anna Lee', undefined, 'Custer', 'NE', undefined, 'North range']);
    expect(values(ws, 7)).toEqual(['C000003', 'Bob Smith', 87654321, 'Holt', 'NE', 'bob@example.com', 'Gate code on file']);
    // A leading zero would be lost in a number, so that id stays text; row 4 gets stray spaces.
    expect(values(ws, 8)).toEqual(['C000004', ' Cara  Diaz ', '01234567', 'Holt', 'NE']);
    expect(ws.getCell('C7').type).toBe(ExcelJS.ValueType.Number);
  });

  it('refuses unknown options', async () => {
    await expect(writeCustomerWorkbook(join(dir, 'x.xlsx'), [], { tidy: true } as never)).rejects.toMatchObject({
      name: 'SampleOptionsError',
      code: 'SAMPLES_OPTIONS',
      message: 'writeCustomerWorkbook: unknown option(s) tidy',
    });
  });
});

describe('samples CLI', () => {
  it('writes the portal dataset customers from --start', async () => {
    const path = join(dir, 'cli.xlsx');
    const cli: string = join(process.cwd(), 'dist', 'samples', 'main.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, '--out', path, '--records', '3', '--start', '5']);
    expect(stdout).toBe(`wrote 3 customers to ${path}\n`);
    const ws = await read(path);
    const expected = [...new PortalDataset().customersIter(3, { start: 5 })];
    expect(expected.map((c) => c.customerId)).toEqual(['C000006', 'C000007', 'C000008']);
    expect([2, 3, 4].map((r) => values(ws, r))).toEqual(expected.map((c) => asRead([c.customerId, c.name, c.parcelId, c.county, c.state, c.email])));
  });

  it('refuses a record count that is not a number', async () => {
    const cli = join(process.cwd(), 'dist', 'samples', 'main.js');
    await expect(promisify(execFile)(process.execPath, [cli, '--out', join(dir, 'y.xlsx'), '--records', 'many'])).rejects.toMatchObject({
      code: 1,
      stderr: "error: option '--records <n>' argument 'many' is invalid. expected a non-negative integer\n",
    });
  });
});

export type { samplesCli };
