import type { Selectable } from 'kysely';
import { toIsoShanghai } from '../shared/time.js';
import { clockJson, type ClockRow } from '../clocks/model.js';
import type { EventActionsTable, OpinionEventsTable } from './tables.js';
import { ACTION_LABELS, SEVERITY_LABELS, STATUS_LABELS } from './rules.js';

export type EventRow = Selectable<OpinionEventsTable>;
export type ActionRow = Selectable<EventActionsTable>;

/** The API shape of an event (SPEC §4 GET /api/opinion/events), shared by the opinion pages. */
export function eventJson(e: EventRow, clocks: ClockRow[] = []) {
  return {
    id: e.id,
    origin: e.origin,
    title: e.title,
    summary: e.summary,
    status: e.status,
    statusLabel: STATUS_LABELS[e.status] ?? e.status,
    severity: e.severity,
    severityLabel: SEVERITY_LABELS[e.severity],
    suggestedSeverity: e.suggested_severity,
    emergency: e.emergency,
    emergencySignal: e.emergency_signal,
    responsibleDepartmentId: e.responsible_department_id,
    spokespersonId: e.spokesperson_id,
    keywords: e.keywords,
    categories: e.categories,
    channels: e.channels,
    itemsCount: e.items_count,
    uniqueAuthors: e.unique_authors,
    negativeRatio: e.items_count ? Math.round((e.negative_count / e.items_count) * 1000) / 1000 : 0,
    hotness: Math.round(e.hotness * 100) / 100,
    trend: e.trend,
    policyIds: e.policy_ids,
    detectedAt: toIsoShanghai(e.detected_at),
    firstSeenAt: toIsoShanghai(e.first_seen_at),
    lastSeenAt: toIsoShanghai(e.last_seen_at),
    createdAt: toIsoShanghai(e.created_at),
    clocks: clocks.map(clockJson),
  };
}
export type EventJson = ReturnType<typeof eventJson>;

export function actionJson(a: ActionRow) {
  return {
    id: a.id,
    eventId: a.event_id,
    kind: a.kind,
    kindLabel: ACTION_LABELS[a.kind],
    status: a.status,
    occurredAt: toIsoShanghai(a.occurred_at),
    plannedAt: toIsoShanghai(a.planned_at),
    place: a.place,
    spokesperson: a.spokesperson,
    keyPoints: a.key_points,
    channel: a.channel,
    url: a.url,
    text: a.text,
    clockId: a.clock_id,
    /** Shown in the public 回应关切 column. */
    public: a.public,
    recordedBy: a.recorded_by,
    createdAt: toIsoShanghai(a.created_at),
  };
}
