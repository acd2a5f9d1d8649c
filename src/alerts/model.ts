import type { Selectable } from 'kysely';
import type { AlertsTable, AlertSeverity } from '../db/schema.js';
import { toIsoShanghai } from '../shared/time.js';
import { alertHref } from '../web/links.js';

export type AlertRow = Selectable<AlertsTable>;

export const ALERT_TYPES = [
  'clock.warning',
  'clock.breached',
  'clock.escalated',
  'clock.deadline_moved',
  'alert.renotified',
  'event.detected',
  'event.escalated',
  'policy.opinion',
  'calendar.changed',
  'accountability.recorded',
  'supervision.urge',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_TYPE_LABELS: Record<AlertType, string> = {
  'clock.warning': '时限预警',
  'clock.breached': '已超时',
  'clock.escalated': '超时升级',
  'clock.deadline_moved': '期限变更',
  'alert.renotified': '未确认提醒',
  'event.detected': '舆情预警',
  'event.escalated': '舆情升级',
  'policy.opinion': '政策舆情',
  'calendar.changed': '日历变更',
  'accountability.recorded': '问责决定',
  'supervision.urge': '督办',
};

export const SEVERITY_LABELS: Record<AlertSeverity, string> = {
  info: '提示',
  warning: '警告',
  critical: '紧急',
};

/**
 * How long an unacknowledged critical alert waits before it is re-notified, when nothing more
 * specific applies (a clock's alerts use its policy's `renotifyMinutes`).
 */
export const DEFAULT_RENOTIFY_MINUTES = 15;

export interface NewAlert {
  type: AlertType;
  severity: AlertSeverity;
  title: string;
  body?: string;
  subjectKind: string;
  subjectId: string | number;
  departmentId: number | null;
  dueAt?: Date | null;
  escalationLevel?: number;
  /** Makes the alert idempotent: a second insert with the same key is ignored. */
  dedupeKey?: string;
  data?: Record<string, unknown>;
  /** Critical alerts not acknowledged by then are re-notified and escalated. */
  renotifyAt?: Date | null;
}

/** The Socket.IO / REST shape of an alert (SPEC §4). */
export function alertJson(a: AlertRow) {
  return {
    id: a.id,
    type: a.type,
    typeLabel: ALERT_TYPE_LABELS[a.type as AlertType] ?? a.type,
    severity: a.severity,
    severityLabel: SEVERITY_LABELS[a.severity],
    title: a.title,
    body: a.body,
    subject: { kind: a.subject_kind, id: a.subject_id },
    departmentId: a.department_id,
    escalationLevel: a.escalation_level,
    dueAt: toIsoShanghai(a.due_at),
    createdAt: toIsoShanghai(a.created_at),
    acked: a.acked_at !== null,
    ackedAt: toIsoShanghai(a.acked_at),
    ackedBy: a.acked_by,
    /** The matter ended (its clock met, cancelled or moved): no longer open, kept in history. */
    resolved: a.resolved_at !== null,
    resolvedAt: toIsoShanghai(a.resolved_at),
    resolvedReason: a.resolved_reason,
    data: a.data,
    /** The page of the event or document the alert is about (null when there is none). */
    href: alertHref(a),
  };
}
export type AlertJson = ReturnType<typeof alertJson>;
