/**
 * `npm run bench [-- <benchmark>] [flags]`: the benchmarks, each its own command line.
 *   npm run bench -- --records 5000 ...        the credit check (the default)
 *   npm run bench -- catalog --processes 1000  catalog processes through the REST API
 *   npm run bench -- ledger --processes 1200000 the ledger's queries at a year of history
 * `npm run bench -- <benchmark> --help` lists a benchmark's flags.
 */
const BENCHMARKS = {
  catalog: () => import('./catalog-bench.js'),
  ledger: () => import('./ledger-bench.js'),
  'credit-check': () => import('./credit-check-bench.js'),
} as const;

const [first, ...rest] = process.argv.slice(2);
const named = first !== undefined && Object.hasOwn(BENCHMARKS, first);
const name = named ? (first as keyof typeof BENCHMARKS) : 'credit-check';
const { main } = await BENCHMARKS[name]();
await main(named ? rest : process.argv.slice(2));
