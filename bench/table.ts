import type { BenchFigures } from './run-once.js';

interface Column {
  head: string;
  value: (f: BenchFigures) => number | string;
}

const fixed = (n: number, d = 2) => n.toFixed(d);

const COLUMNS: Column[] = [
  { head: 'records', value: (f) => f.records },
  { head: 'maint. s', value: (f) => f.maintenanceSeconds },
  { head: 'stages', value: (f) => (f.overlapStages ? 'overlapped' : 'serial') },
  { head: 'wall s', value: (f) => fixed(f.wallSeconds) },
  { head: 'upload', value: (f) => fixed(f.uploadSeconds) },
  { head: 'trigger', value: (f) => fixed(f.triggerSeconds) },
  { head: 'validate', value: (f) => fixed(f.stageSeconds.validate) },
  { head: 'ingest', value: (f) => fixed(f.stageSeconds.ingest) },
  { head: 'scrape', value: (f) => fixed(f.stageSeconds.scrape) },
  { head: 'report', value: (f) => fixed(f.stageSeconds.report) },
  { head: 'report tail', value: (f) => fixed(f.reportTailSeconds) },
  { head: 'email', value: (f) => fixed(f.stageSeconds.email) },
  { head: 'cleanup', value: (f) => fixed(f.stageSeconds.cleanup) },
  { head: 'rec/s', value: (f) => fixed(f.recordsPerSecond, 0) },
  { head: 'ingest rows/s', value: (f) => fixed(f.ingestRowsPerSecond, 0) },
  { head: 'report rows/s', value: (f) => fixed(f.reportRowsPerSecond, 0) },
  { head: 'requests', value: (f) => f.requests },
  { head: 'ideal s', value: (f) => fixed(f.idealSeconds) },
  { head: '×ideal', value: (f) => fixed(f.ratioToIdeal) },
  { head: 'naive s', value: (f) => fixed(f.naiveSeconds) },
  { head: '×naive', value: (f) => fixed(f.ratioToNaive) },
  { head: 'scrape ×naive', value: (f) => fixed(f.scrapeRatioToNaive) },
  { head: 'peak in-flight', value: (f) => `${f.peakInFlight}/${f.inFlightCap}` },
  { head: 'naive peak', value: (f) => f.naivePeakInFlight },
  { head: '503s / naive', value: (f) => `${f.throttled503}/${f.naiveThrottled}` },
  { head: 'early / naive', value: (f) => `${f.tooEarly}/${f.naiveTooEarly}` },
  { head: 'worker MB', value: (f) => fixed(f.workerPeakRssMb, 0) },
  { head: 'child MB', value: (f) => fixed(f.childPeakRssMb, 0) },
  { head: 'children', value: (f) => `${f.childrenSeen} (${f.children} at once × ${f.perChild}, ${f.recordsPerChild} rec)` },
  { head: 'events', value: (f) => f.historyEvents },
  { head: 'report MB', value: (f) => `${fixed(f.reportBytes / 1e6, 1)} ${f.reportAttached ? 'attached' : 'linked'}` },
];

/** One line of where the CPU went, per run. */
export function formatCpu(runs: BenchFigures[]): string {
  return runs
    .map((f) => `cpu s (${f.records} records): ${Object.entries(f.cpuSeconds).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')}`)
    .join('\n');
}

/** Markdown table, one row per run; with several runs, a last row of growth from the first to the last. */
export function formatTable(runs: BenchFigures[]): string {
  const rows = runs.map((f) => COLUMNS.map((c) => String(c.value(f))));
  if (runs.length > 1) rows.push(growthRow(runs[0]!, runs[runs.length - 1]!));
  const lines = [COLUMNS.map((c) => c.head), COLUMNS.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

/** Each numeric figure of the last run over the first, as `×k`: ×10 for ×10 records is linear. */
function growthRow(first: BenchFigures, last: BenchFigures): string[] {
  return COLUMNS.map((c, i) => {
    if (i === 0) return `growth ×${fixed(last.records / first.records, 0)}`;
    const a = Number.parseFloat(String(c.value(first)));
    const b = Number.parseFloat(String(c.value(last)));
    return Number.isFinite(a) && Number.isFinite(b) && a !== 0 ? `×${fixed(b / a, 1)}` : '';
  });
}
