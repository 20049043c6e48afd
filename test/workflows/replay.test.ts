/**
 * Runs already in flight must replay on new workflow code: the code may change how it is
 * written, but not the commands it issues or their order. These histories were recorded from
 * creditCheck before it was split into modules (fan-out, stage tracker, run controls,
 * compensations), with stub activities: two runs that succeed (stages overlapped, and one after
 * another) while every control signal arrives, bad ones included; a chunk that fails; an ingest
 * that fails; a cancel in the scrape stage; and input refused at once.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';

const HISTORIES = join(process.cwd(), 'test', 'fixtures', 'histories');

/**
 * A history as the client's fetchHistory() gives it, saved with JSON.stringify. Read back with
 * the proto types themselves: the SDK's own JSON reader (historyFromJSON) refuses it here, as
 * it meets the proto types of another copy of protobufjs.
 */
function readHistory(file: string) {
  return proto.temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as Record<string, unknown>);
}

describe('creditCheck replays the histories of runs recorded on earlier code', () => {
  it('replays every recorded history without a nondeterminism error', async () => {
    const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: readHistory(f) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });
});
