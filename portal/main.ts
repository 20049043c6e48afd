/**
 * Runs the demo tax portal:
 *   node dist/portal/main.js --port 4568 --latency 20 --fault-rate 0.05 --seed 42
 * Prints `portal listening on http://127.0.0.1:PORT` and stops on SIGTERM or SIGINT.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { startPortal } from './server.js';

const program = new Command()
  .name('drover-portal')
  .description('The demo county tax portal (shared/specs/tax-portal) with reproducible latency and faults.')
  .addOption(new Option('--port <n>', 'TCP port (0: any free port)').default(4568).argParser(integer(0, 65535)))
  .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
  .addOption(new Option('--latency <ms>', 'milliseconds added to every answer').default(0).argParser(integer(0, Number.MAX_SAFE_INTEGER)))
  .addOption(new Option('--fault-rate <r>', 'share of requests that meet a transient fault, 0..1').default(0).argParser(fraction))
  .addOption(new Option('--fault-kinds <list>', `comma-separated fault kinds (${FAULT_KINDS.join(', ')})`).argParser(faultKinds))
  .addOption(new Option('--seed <s>', 'seed of the data and the faults').default(42).argParser(integer(0, 0xffff_ffff)))
  .addOption(new Option('--retry-after <s>', 'Retry-After of 429 and maintenance answers, in seconds').default(1).argParser(integer(0, 86_400)))
  .addOption(new Option('--max-rps <n>', 'answer 429 above this many requests per second (all clients)').argParser(integer(1, Number.MAX_SAFE_INTEGER)))
  .addOption(new Option('--slow <ms>', 'extra delay of a slow fault').default(2000).argParser(integer(0, Number.MAX_SAFE_INTEGER)))
  .addOption(new Option('--maintenance <s>', 'closed this many seconds of every --maintenance-every, answering 503 with Retry-After').argParser(integer(1, 86_400)))
  .addOption(new Option('--maintenance-every <s>', 'period of the maintenance window, in seconds').argParser(integer(1, 86_400)))
  .addOption(new Option('--maintenance-after <s>', 'the first window begins this many seconds after the first request').argParser(integer(0, 86_400)))
  .showHelpAfterError();

program.parse();
const flags = program.opts<{
  port: number;
  latency: number;
  faultRate: number;
  faultKinds?: FaultKind[];
  seed: number;
  retryAfter: number;
  host: string;
  maxRps?: number;
  slow: number;
  maintenance?: number;
  maintenanceEvery?: number;
  maintenanceAfter?: number;
}>();

const portal = await startPortal({
  port: flags.port,
  host: flags.host,
  latencyMs: flags.latency,
  faultRate: flags.faultRate,
  seed: flags.seed,
  retryAfterSeconds: flags.retryAfter,
  slowMs: flags.slow,
  ...(flags.faultKinds && { faultKinds: flags.faultKinds }),
  ...(flags.maxRps !== undefined && { maxRps: flags.maxRps }),
  ...(flags.maintenance !== undefined && { maintenanceSeconds: flags.maintenance }),
  ...(flags.maintenanceEvery !== undefined && { maintenanceEverySeconds: flags.maintenanceEvery }),
  ...(flags.maintenanceAfter !== undefined && { maintenanceAfterSeconds: flags.maintenanceAfter }),
});
console.log(`portal listening on ${portal.url}`);

const stop = (): void => {
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  void portal.close();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

function faultKinds(value: string): FaultKind[] {
  const kinds = value.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  for (const kind of kinds) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw new InvalidArgumentError(`unknown fault kind "${kind}"`);
  }
  if (kinds.length === 0) throw new InvalidArgumentError('expected at least one fault kind');
  return kinds as FaultKind[];
}
