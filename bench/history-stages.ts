/**
 * Stage times from a run's Temporal history: the exact record of when each activity was
 * scheduled and completed, so the bench needs no clock of its own inside the workflow.
 */

/** The few fields of a history event this reads (temporal.api.history.v1.HistoryEvent). */
export interface HistoryEventLike {
  eventId?: { toString(): string } | number | null;
  eventTime?: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null;
  workflowExecutionStartedEventAttributes?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskCompletedEventAttributes?: {
    scheduledEventId?: { toString(): string } | number | null;
    result?: { payloads?: { data?: Uint8Array | null }[] | null } | null;
  } | null;
}

/** The stages of the credit check and the activities each one spans. */
export const STAGE_ACTIVITIES = {
  validate: ['validateUpload'],
  ingest: ['ingest'],
  scrape: ['runArrayJob'],
  report: ['buildReport'],
  email: ['emailReport'],
  cleanup: ['deleteRunResources', 'archiveInput'],
} as const;
export type HistoryStage = keyof typeof STAGE_ACTIVITIES;

export interface HistoryTimes {
  /** Epoch ms of WorkflowExecutionStarted. */
  startedAtMs: number;
  /** Per stage: first activity scheduled to last activity completed, epoch ms. */
  stages: Partial<Record<HistoryStage, { fromMs: number; toMs: number }>>;
  /** Results of the completed activities, by activity type, decoded from JSON. */
  results: Record<string, unknown[]>;
  events: number;
}

function epochMs(t: HistoryEventLike['eventTime']): number {
  if (!t) return Number.NaN;
  return Number(String(t.seconds ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6;
}

export function historyTimes(events: readonly HistoryEventLike[]): HistoryTimes {
  const typeOf = new Map<string, string>();
  const stageOf = new Map<string, HistoryStage>();
  for (const [stage, types] of Object.entries(STAGE_ACTIVITIES)) for (const t of types) stageOf.set(t, stage as HistoryStage);
  const out: HistoryTimes = { startedAtMs: Number.NaN, stages: {}, results: {}, events: events.length };
  const widen = (stage: HistoryStage | undefined, at: number, edge: 'fromMs' | 'toMs') => {
    if (!stage) return;
    const span = (out.stages[stage] ??= { fromMs: at, toMs: at });
    span.fromMs = Math.min(span.fromMs, at);
    if (edge === 'toMs') span.toMs = Math.max(span.toMs, at);
  };
  for (const e of events) {
    const at = epochMs(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) out.startedAtMs = at;
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const type = scheduled.activityType?.name ?? '';
      typeOf.set(String(e.eventId), type);
      widen(stageOf.get(type), at, 'fromMs');
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const type = typeOf.get(String(completed.scheduledEventId)) ?? '';
      widen(stageOf.get(type), at, 'toMs');
      const data = completed.result?.payloads?.[0]?.data;
      if (data) {
        try {
          (out.results[type] ??= []).push(JSON.parse(Buffer.from(data).toString('utf8')));
        } catch {
          // Not a JSON payload: the bench only reads JSON results.
        }
      }
    }
  }
  return out;
}

/** Seconds of each stage that ran, from its history span. */
export function stageSeconds(times: HistoryTimes): Partial<Record<HistoryStage, number>> {
  const out: Partial<Record<HistoryStage, number>> = {};
  for (const [stage, span] of Object.entries(times.stages)) out[stage as HistoryStage] = (span.toMs - span.fromMs) / 1000;
  return out;
}
