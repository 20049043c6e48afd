/**
 * Shows how far a run has got while a command waits for it. On a terminal, a live bar
 * (cli-progress: one line redrawn in place, with the terminal's width and cursor handled); in
 * a pipe or CI, a plain line every `everyMs`, which a log keeps readably; with --json, nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import { progressQuery, type Progress } from '../workflows/definitions.js';
import { progressWords, RateMeter } from './progress-words.js';

export type DisplayMode = 'bar' | 'lines' | 'quiet';

export interface FollowOptions {
  mode: DisplayMode;
  /** Where the display goes. Default process.stdout. */
  stream?: NodeJS.WriteStream;
  /** How often the run is asked for its progress, in ms. Default 1000. */
  pollMs?: number;
  /** In `lines` mode, how often a line is printed, in ms. Default 10,000. */
  everyMs?: number;
  /** Stops following (the run goes on). */
  signal?: AbortSignal;
}

/** The display for a stream: a bar on a terminal, lines elsewhere, nothing when the output is JSON. */
export function displayMode(stream: NodeJS.WriteStream, json: boolean): DisplayMode {
  if (json) return 'quiet';
  return stream.isTTY ? 'bar' : 'lines';
}

/** Follows the run until it closes or `signal` aborts; says nothing of how it ended. */
export async function followRun(handle: WorkflowHandle, options: FollowOptions): Promise<void> {
  const { mode, stream = process.stdout, pollMs = 1000, everyMs = 10_000, signal } = options;
  let closed = false;
  const ended = handle.result().then(
    () => void (closed = true),
    () => void (closed = true),
  );
  const stopped = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  if (mode === 'quiet') {
    await Promise.race([ended, stopped]);
    return;
  }
  const meter = new RateMeter();
  const bar =
    mode === 'bar'
      ? new cliProgress.SingleBar({
          stream,
          format: (opts, params, payload: { words?: string; stage?: string }) =>
            `${(payload.stage ?? '').padEnd(12)} ${cliProgress.Format.BarFormat(params.progress, opts)} ${payload.words ?? ''}`,
          barsize: 24,
          barCompleteChar: '\u2588',
          barIncompleteChar: '\u2591',
          hideCursor: true,
          clearOnComplete: false,
          linewrap: false,
        })
      : undefined;
  let printedAt = 0;
  const show = (p: Progress) => {
    meter.add(Date.now(), p.done);
    const words = progressWords(p, meter.perSecond());
    if (bar) {
      const total = p.total ?? 0;
      if (!bar.isActive) bar.start(Math.max(total, 1), 0, { stage: p.stage, words });
      bar.setTotal(Math.max(total, 1));
      bar.update(total ? p.done : 0, { stage: p.stage, words });
    } else if (Date.now() - printedAt >= everyMs) {
      printedAt = Date.now();
      stream.write(`${new Date().toISOString().slice(11, 19)} ${handle.workflowId} ${p.stage} · ${words}\n`);
    }
  };
  try {
    while (!closed && !signal?.aborted) {
      // A run that has not run its first task yet has no progress to tell.
      const p = await handle.query(progressQuery).catch(() => undefined);
      if (p && !closed) show(p);
      await Promise.race([sleep(pollMs), ended, stopped]);
    }
  } finally {
    bar?.stop();
  }
}

/**
 * Follows the run until it closes or the user presses Ctrl-C, which stops the waiting, not
 * the run: cancelling is a decision of its own. Returns whether Ctrl-C stopped it.
 */
export async function followUntilInterrupted(handle: WorkflowHandle, options: Omit<FollowOptions, 'signal'>): Promise<boolean> {
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt);
  try {
    await followRun(handle, { ...options, signal: interrupted.signal });
  } finally {
    process.off('SIGINT', interrupt);
  }
  return interrupted.signal.aborted;
}

/** What to say when the waiting was stopped: the run goes on, and how to cancel it. */
export function stoppedWaiting(runId: string): string {
  return `stopped waiting; ${runId} goes on. To cancel it: npx drover cancel ${runId}`;
}
