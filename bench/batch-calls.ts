/** The Batch API calls drover made, by operation, as the local executor counted them (GET /drover/stats, not part of AWS's API). */
import { request } from 'undici';

export interface BatchCallFigures {
  /** Calls over the run, by operation. */
  calls: Record<string, number>;
  /** The most calls of each operation in any minute. */
  perMinutePeak: Record<string, number>;
}

export async function batchCallFigures(endpoint: string): Promise<BatchCallFigures> {
  const res = await request(new URL('/drover/stats', endpoint));
  const text = await res.body.text();
  if (res.statusCode !== 200) return { calls: {}, perMinutePeak: {} };
  const stats = JSON.parse(text) as Partial<BatchCallFigures>;
  return { calls: stats.calls ?? {}, perMinutePeak: stats.perMinutePeak ?? {} };
}
