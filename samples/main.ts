import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { PortalDataset } from '../portal/dataset.js';
import { writeCustomerWorkbook } from './generate-workbook.js';

/**
 * `node dist/samples/main.js --out FILE --records N [--start K] [--seed S] [--messy]`:
 * writes a customers workbook from the demo portal's deterministic dataset.
 */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = new Command()
    .name('samples')
    .description("Writes a customers workbook from the demo portal's dataset")
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .requiredOption('--records <n>', 'how many customers', integer)
    .option('--start <k>', 'index of the first customer', integer, 0)
    .option('--seed <s>', "the portal dataset's seed", integer, 42)
    .option('--messy', 'title rows, aliased headers, numbers for some ids, as people write sheets', false)
    .option('--flawed', 'end with rows the cleansing rejects (a duplicate id, no id, no parcel or county) and a blank row', false)
    .parse([...argv]);
  const opts = program.opts<{ out: string; records: number; start: number; seed: number; messy: boolean; flawed: boolean }>();
  const dataset = new PortalDataset({ seed: opts.seed });
  const n = await writeCustomerWorkbook(opts.out, dataset.customersIter(opts.records, { start: opts.start }), { messy: opts.messy, flawed: opts.flawed });
  process.stdout.write(`wrote ${n} customers to ${opts.out}\n`);
}

function integer(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
