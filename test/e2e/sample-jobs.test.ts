/**
 * The sample jobs of samples/jobs run as a user runs them, on a test stack of its own:
 * parcel-summary through `npm run demo -- --job` (which puts it and starts it with the CLI),
 * partner-feeds through the CLI itself. What they stored is checked against the test's own
 * reading of the same data: the portal's dataset for the workbook, the raw feeds for the loads.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { PortalDataset, type Parcel } from '../../portal/dataset.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
const scratch = mkdtempSync(join(tmpdir(), 'drover-sample-jobs-'));

beforeAll(async () => {
  stack = await startTestStack();
}, 240_000);

afterAll(async () => {
  await stack?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** A program of this repository run with the stack's environment, as a user's shell would. */
function run(script: string, ...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(process.cwd(), script), ...args], { env: stack.env, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

function json<T>(ran: Ran): T {
  try {
    return JSON.parse(ran.stdout.trim()) as T;
  } catch {
    throw new Error(`not one JSON object (exit ${ran.status}):\n${ran.stdout}${ran.stderr}`);
  }
}

async function object(key: string): Promise<Buffer> {
  const got = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.file.aws.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: stack.file.aws.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

/** The rows of a sheet below its header, a value for each header cell: a number, a string, or null for an empty cell. */
function rowsOf(workbook: ExcelJS.Workbook, name: string): unknown[][] {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  const width = sheet.getRow(1).cellCount;
  const rows: unknown[][] = [];
  sheet.eachRow((row, n) => {
    const values = row.values as unknown[];
    if (n > 1) rows.push(Array.from({ length: width }, (_, i) => values[i + 1] ?? null));
  });
  return rows;
}

const cents = (dollars: unknown) => Math.round((dollars as number) * 100);
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What the parcel-summary job should find for its sample parameters (county LINCOLN, limit
 * 25, from 12-345-670): the first 25 LINCOLN parcels walking parcel numbers upward.
 */
function expectedSummary(county: string, limit: number, from: string) {
  const dataset = new PortalDataset({ seed: 42 });
  const parcels: Parcel[] = [];
  let pages = 0;
  let notFound = 0;
  for (let n = Number(from.replaceAll('-', '')); parcels.length < limit; n++) {
    const digits = String(n).padStart(8, '0');
    const parcel = dataset.parcel(`${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}`);
    pages++;
    if (parcel === undefined) notFound++;
    else if (parcel.county === county) parcels.push(parcel);
  }
  const due = (p: Parcel) => p.history.reduce((s, h) => s + h.balanceCents, 0);
  const late = (p: Parcel) => p.history.filter((h) => h.status === 'DELINQUENT').map((h) => h.year);
  const owners = new Map<string, { owner: string; parcels: number; due: number; years: number; oldest: number | null }>();
  for (const p of parcels) {
    const o = owners.get(p.owner) ?? { owner: p.owner, parcels: 0, due: 0, years: 0, oldest: null };
    o.parcels++;
    o.due += due(p);
    o.years += late(p).length;
    for (const y of late(p)) o.oldest = o.oldest === null ? y : Math.min(o.oldest, y);
    owners.set(p.owner, o);
  }
  return {
    pages,
    notFound,
    parcels: parcels.map((p) => [p.parcelId, p.owner, p.county, p.situs, p.history.length, due(p), late(p).join(', ') || null, p.history[0]!.status]),
    owners: [...owners.values()]
      .sort((a, b) => b.due - a.due || byCodePoint(a.owner, b.owner))
      .map((o) => [o.owner, county, o.parcels, o.due, o.years, o.oldest]),
    totalDue: parcels.reduce((s, p) => s + due(p), 0),
    delinquentParcels: parcels.filter((p) => late(p).length > 0).length,
    delinquentYears: parcels.reduce((s, p) => s + late(p).length, 0),
  };
}

describe('the sample jobs', () => {
  it('parcel-summary, run by the demo, stores a workbook whose figures are the portal\'s', async () => {
    const out = join(scratch, 'out');
    const demo = await run('dist/cli/demo.js', '--job', '--out', out);
    expect({ status: demo.status, stderr: demo.stderr }).toEqual({ status: 0, stderr: '' });
    expect(demo.stdout).toContain('using the running stack');
    expect(demo.stdout).toContain('status     SUCCEEDED');
    const processId = /^process {4}(parcel-summary-\S+)$/m.exec(demo.stdout)?.[1];
    expect(processId).toBeDefined();
    expect(demo.stdout).toContain(`npx drover task log ${processId} summarise`);

    const body = await object(`reports/jobs/${processId}/parcel-summary.xlsx`);
    // The demo saved the same workbook.
    expect(readFileSync(join(out, processId!, 'parcel-summary.xlsx')).equals(body)).toBe(true);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const want = expectedSummary('LINCOLN', 25, '12-345-670');

    const parcels = rowsOf(workbook, 'Parcels').map((r) => [...r.slice(0, 5), cents(r[5]), ...r.slice(6)]);
    expect(parcels).toEqual(want.parcels);
    const owners = rowsOf(workbook, 'Owners').map((r) => [...r.slice(0, 3), cents(r[3]), ...r.slice(4)]);
    expect(owners).toEqual(want.owners);
    // The spec's own parcels are on the walk: DOUBLE R CATTLE CO with both of its LINCOLN parcels.
    expect(owners.find((o) => o[0] === 'DOUBLE R CATTLE CO')?.[2]).toBe(2);

    const summary = Object.fromEntries(rowsOf(workbook, 'Summary').map(([k, v]) => [k, v]));
    expect({ ...summary, 'Total due': cents(summary['Total due']), Generated: undefined }).toEqual({
      County: 'LINCOLN',
      Parcels: 25,
      Owners: want.owners.length,
      'Delinquent parcels': want.delinquentParcels,
      'Total due': want.totalDue,
      'Delinquent years': want.delinquentYears,
      'Pages read': want.pages,
      'Parcel numbers not found': want.notFound,
      Process: processId,
      Generated: undefined,
    });
  }, 360_000);

  it('partner-feeds, put and started with the CLI, loads each partner in its own array child', async () => {
    const dir = 'samples/jobs/partner-feeds';
    const put = await run('bin/drover.js', 'job', 'put', `${dir}/job.json`, ...['download', 'load', 'report'].flatMap((s) => ['--script', `${s}=${dir}/${s}.py`]), '--json');
    expect(json(put)).toMatchObject({ jobId: 'partner-feeds', version: 1 });
    const started = await run('bin/drover.js', 'process', 'start', 'partner-feeds', '--param', 'date=2026-05-01', '--wait', '--json');
    const p = json<{ processId: string; status: string; parameters: unknown; tasks: Array<{ name: string; status: string; exitCode: number | null; arraySize: number | null }> }>(started);
    expect(started.status).toBe(0);
    expect(p).toMatchObject({ status: 'SUCCEEDED', parameters: { date: '2026-05-01' } });
    expect(p.tasks.map((t) => [t.name, t.status, t.exitCode, t.arraySize])).toEqual([
      ['download', 'SUCCEEDED', 0, null],
      ['load', 'SUCCEEDED', 0, 4],
      ['report', 'SUCCEEDED', 0, null],
    ]);

    const prefix = `jobs/${p.processId}`;
    const manifest = JSON.parse((await object(`${prefix}/partners.json`)).toString()) as { date: string; partners: string[] };
    expect(manifest.date).toBe('2026-05-01');
    expect(manifest.partners).toHaveLength(4);
    // Each child wrote its partner's orders and counts: four of each, one per partner.
    expect(await keysUnder(`${prefix}/loaded/`)).toEqual(manifest.partners.flatMap((q) => [`${prefix}/loaded/${q}.jsonl`, `${prefix}/loaded/${q}.stats.json`]).sort());

    const totals = { read: 0, loaded: 0, duplicates: 0, refused: 0, amountCents: 0 };
    for (const [index, partner] of manifest.partners.entries()) {
      // The test's own load of the raw feed: first of each order id, then SKU, quantity and price checked.
      const raw = (await object(`${prefix}/raw/${partner}.jsonl`)).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const firsts: Array<Record<string, unknown>> = [];
      const seen = new Set<unknown>();
      for (const o of raw) {
        if (!seen.has(o['orderId'])) firsts.push(o);
        seen.add(o['orderId']);
      }
      const good = firsts.filter((o) => typeof o['sku'] === 'string' && o['sku'] !== '' && Number.isInteger(o['quantity']) && (o['quantity'] as number) >= 1 && /^\d+\.\d{2}$/.test(String(o['unitPrice'])));
      const amount = (o: Record<string, unknown>) => (o['quantity'] as number) * Number(String(o['unitPrice']).replace('.', ''));

      const loaded = (await object(`${prefix}/loaded/${partner}.jsonl`)).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(loaded.map((o) => [o['orderId'], o['amountCents']])).toEqual(good.map((o) => [o['orderId'], amount(o)]));
      const stats = JSON.parse((await object(`${prefix}/loaded/${partner}.stats.json`)).toString()) as { partner: string; index: number; read: number; loaded: number; duplicates: number; refused: Record<string, number>; amountCents: number };
      const expected = { read: raw.length, loaded: good.length, duplicates: raw.length - firsts.length, refused: firsts.length - good.length, amountCents: good.reduce((s, o) => s + amount(o), 0) };
      expect({ ...stats, refused: Object.values(stats.refused).reduce((s, n) => s + n, 0) }).toEqual({ partner, index, ...expected });
      // Feeds carry broken and repeated orders on purpose: the load has both to do.
      expect(expected.duplicates).toBeGreaterThan(0);
      expect(expected.refused).toBeGreaterThan(0);
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += expected[k];
    }
    const report = JSON.parse((await object(`reports/${prefix}/partner-feeds.json`)).toString()) as { date: string; totals: typeof totals };
    expect(report.date).toBe('2026-05-01');
    expect(report.totals).toEqual(totals);
  }, 360_000);
});
