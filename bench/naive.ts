/**
 * The naive baseline: one plain script doing the credit check's lookups against the portal
 * at a fixed concurrency, and nothing else (no workbook, table, report or orchestration).
 * It is polite, as the portal's spec asks of every client: a 429 or 503 with Retry-After
 * holds every worker until then, and the request is asked again (a 503 without one after a
 * second).
 *   node dist/bench/naive.js --url http://127.0.0.1:4568 --records 2000 --concurrency 100
 * Prints one JSON line: {"seconds", "lookups", "requests", "found", "notFound", "errors", "throttled"}.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { customersIter } from '../portal/dataset.js';
import { countyNormalForm, ownerNormalForm } from '../scraper/query-normal-form.js';

const program = new Command()
  .name('drover-naive')
  .description('Looks the sample customers up on the portal with N workers, as a plain script would.')
  .requiredOption('--url <url>', 'base URL of the portal')
  .requiredOption('--records <n>', 'sample customers to look up (seed 42, as the bench workbook)', positive)
  .requiredOption('--concurrency <n>', 'workers, so requests in flight at most', positive)
  .showHelpAfterError();
program.parse();
const flags = program.opts<{ url: string; records: number; concurrency: number }>();

const base = flags.url.replace(/\/+$/, '');
const PARCEL_LINK = /href="\/parcels\/([^"?#]+)"/g;
const counts = { lookups: 0, requests: 0, found: 0, notFound: 0, errors: 0, throttled: 0 };
/** No request before this (performance.now()): the latest Retry-After, for every worker. */
let notBefore = 0;

async function get(path: string): Promise<{ status: number; body: string }> {
  for (let attempt = 0; ; attempt++) {
    for (let wait = notBefore - performance.now(); wait > 0; wait = notBefore - performance.now()) await sleep(Math.ceil(wait));
    counts.requests++;
    const res = await fetch(`${base}/${path}`);
    const body = await res.text();
    if ((res.status !== 429 && res.status !== 503) || attempt >= 20) return { status: res.status, body };
    counts.throttled++;
    const seconds = Number(res.headers.get('retry-after') ?? '');
    notBefore = Math.max(notBefore, performance.now() + (Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000));
  }
}

async function lookup(parcelId: string, owner: string, county: string): Promise<void> {
  let ids: string[];
  if (parcelId !== '') {
    ids = [parcelId];
  } else {
    const search = await get(`search?owner=${encodeURIComponent(ownerNormalForm(owner))}&county=${encodeURIComponent(countyNormalForm(county))}`);
    if (search.status !== 200) return void counts.errors++;
    ids = [...new Set([...search.body.matchAll(PARCEL_LINK)].map((m) => decodeURIComponent(m[1]!)))];
    if (ids.length === 0) return void counts.notFound++;
  }
  let missing = 0;
  for (const id of ids) {
    const page = await get(`parcels/${encodeURIComponent(id)}`);
    if (page.status === 404) missing++;
    else if (page.status !== 200) return void counts.errors++;
  }
  if (missing === ids.length) counts.notFound++;
  else counts.found++;
}

const customers = customersIter(flags.records);
const started = performance.now();
// Each worker takes the next customer when it is free: at most `concurrency` requests in flight.
await Promise.all(
  Array.from({ length: flags.concurrency }, async () => {
    for (let next = customers.next(); !next.done; next = customers.next()) {
      counts.lookups++;
      const c = next.value;
      await lookup(c.parcelId, c.name, c.county);
    }
  }),
);
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, ...counts }));

function positive(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}
