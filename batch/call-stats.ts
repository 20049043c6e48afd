/**
 * Counts the calls the executor answers, by operation, so a benchmark can say how hard drover
 * drives the Batch API (AWS throttles it for the whole account). Not part of AWS's API: served
 * at GET /drover/stats (api-server.ts).
 */

/** The operations by the names AWS gives them, keyed by the restJson1 path the SDK posts to. */
const OPERATION_NAMES = new Map(
  [
    'SubmitJob', 'DescribeJobs', 'ListJobs', 'TerminateJob', 'CancelJob',
    'RegisterJobDefinition', 'DescribeJobDefinitions', 'DeregisterJobDefinition',
    'CreateJobQueue', 'DescribeJobQueues',
  ].map((name) => [`/v1/${name.toLowerCase()}`, name]),
);

/** Seconds of per-second counts kept: an hour, whatever the executor's uptime. */
export const STATS_SECONDS_KEPT = 3600;

const PEAK_WINDOW_SECONDS = 60;

export type CallCounts = Record<string, number>;

export interface CallStatsView {
  /** Every call since the executor started, by operation. */
  calls: CallCounts;
  /** The most calls of each operation in any 60 consecutive seconds since the start. */
  perMinutePeak: CallCounts;
  /** The seconds that had calls, oldest first, at most the last STATS_SECONDS_KEPT; `t` is Unix time in whole seconds. */
  seconds: { t: number; calls: CallCounts }[];
}

export class CallStats {
  private readonly calls: CallCounts = {};
  private readonly peak: CallCounts = {};
  private readonly seconds: { t: number; calls: CallCounts }[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The operation's name for a request path, or undefined when the path is no operation. */
  static operationOf(path: string): string | undefined {
    return OPERATION_NAMES.get(path.toLowerCase());
  }

  count(operation: string): void {
    const t = Math.floor(this.now() / 1000);
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    let last = this.seconds.at(-1);
    if (last?.t !== t) {
      last = { t, calls: {} };
      this.seconds.push(last);
      while (this.seconds.length > 0 && this.seconds[0]!.t <= t - STATS_SECONDS_KEPT) this.seconds.shift();
    }
    last.calls[operation] = (last.calls[operation] ?? 0) + 1;
    // The window of 60 seconds ending now: only it can have a new peak.
    let inWindow = 0;
    for (let i = this.seconds.length - 1; i >= 0 && this.seconds[i]!.t > t - PEAK_WINDOW_SECONDS; i--) inWindow += this.seconds[i]!.calls[operation] ?? 0;
    this.peak[operation] = Math.max(this.peak[operation] ?? 0, inWindow);
  }

  view(): CallStatsView {
    return {
      calls: { ...this.calls },
      perMinutePeak: { ...this.peak },
      seconds: this.seconds.map((s) => ({ t: s.t, calls: { ...s.calls } })),
    };
  }
}
