import type { Db } from '../db/database.js';
import { actorDisplay } from '../audit/labels.js';
import { clockKindLabel } from '../clocks/states.js';
import { ACTION_LABELS, SEVERITY_LABELS } from './rules.js';
import type { ActionKind, Severity } from './tables.js';

export interface TimelineEntry {
  at: Date;
  kind: 'detected' | 'record' | 'triage' | 'retriage' | 'action' | 'finish' | 'alert';
  label: string;
  detail: string;
  actor: string;
  critical?: boolean;
}

interface EventSnapshot {
  title?: string;
  severity?: Severity;
  severityLabel?: string;
  emergency?: boolean;
  status?: string;
  reason?: string;
  kind?: ActionKind;
  kindLabel?: string;
  channel?: string;
  text?: string;
  occurredAt?: string;
  plannedAt?: string;
  clocks?: { kind: string }[];
}

const triageText = (s: EventSnapshot | null, title?: string) =>
  [
    s?.severity ? `级别 ${SEVERITY_LABELS[s.severity]}` : '',
    s?.emergency ? '突发事件' : s?.emergency === false ? '非突发' : '',
    title ? `标题改为“${title}”` : '',
  ]
    .filter(Boolean)
    .join('，');

/**
 * The case's history for people: detection, 研判 and every re-triage, each action, 办结/忽略 — from
 * the audit log — and each alert its clocks raised, oldest first.
 */
export async function eventTimeline(
  db: Db,
  event: { id: number; detectedAt: Date },
): Promise<TimelineEntry[]> {
  const [audits, alerts] = await Promise.all([
    db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
      .leftJoin('departments', 'departments.id', 'users.department_id')
      .select([
        'audit_log.at',
        'audit_log.action',
        'audit_log.actor_label',
        'audit_log.before',
        'audit_log.after',
        'users.display_name',
        'departments.name as department_name',
      ])
      .where('audit_log.subject_kind', '=', 'event')
      .where('audit_log.subject_id', '=', String(event.id))
      .orderBy('audit_log.id')
      .execute(),
    db
      .selectFrom('alerts')
      .innerJoin('clocks', (j) =>
        j.on((eb) => eb(eb.cast('clocks.id', 'text'), '=', eb.ref('alerts.subject_id'))),
      )
      .select([
        'alerts.created_at',
        'alerts.title',
        'alerts.severity',
        'alerts.resolved_at',
        'alerts.resolved_reason',
        'alerts.acked_at',
      ])
      .where('alerts.subject_kind', '=', 'clock')
      .where('clocks.subject_kind', '=', 'event')
      .where('clocks.subject_id', '=', event.id)
      .orderBy('alerts.id')
      .execute(),
  ]);
  const out: TimelineEntry[] = [
    { at: event.detectedAt, kind: 'detected', label: '发现', detail: '', actor: '' },
  ];
  let triaged = false;
  for (const a of audits) {
    const before = a.before as EventSnapshot | null;
    const after = a.after as EventSnapshot | null;
    const actor = actorDisplay(a.actor_label, a.display_name, a.department_name);
    switch (a.action) {
      case 'event.record':
        triaged = true;
        out.push({ at: a.at, kind: 'record', label: '登记并研判', detail: triageText(after), actor });
        break;
      case 'event.triage': {
        const title = after?.title && before?.title !== after.title ? after.title : undefined;
        out.push({
          at: a.at,
          kind: triaged ? 'retriage' : 'triage',
          label: triaged ? '重新研判' : '研判确认',
          detail: triageText(after, title),
          actor,
        });
        triaged = true;
        break;
      }
      case 'event.action':
      case 'event.plan_press_conference':
      case 'event.press_conference_held': {
        const kind = after?.kind;
        const label = kind ? ACTION_LABELS[kind] : '回应';
        out.push({
          at: a.at,
          kind: 'action',
          label:
            a.action === 'event.plan_press_conference'
              ? `计划${label}`
              : a.action === 'event.press_conference_held'
                ? `${label}已召开`
                : label,
          detail: [after?.channel, after?.text].filter(Boolean).join(' · '),
          actor,
        });
        break;
      }
      case 'event.close':
      case 'event.dismiss':
        out.push({
          at: a.at,
          kind: 'finish',
          label: a.action === 'event.close' ? '办结' : '忽略',
          detail: after?.reason ?? '',
          actor,
        });
        break;
    }
  }
  for (const al of alerts)
    out.push({
      at: al.created_at,
      kind: 'alert',
      label: '预警',
      detail:
        al.title +
        (al.resolved_at ? `（已解除：${al.resolved_reason ?? ''}）` : al.acked_at ? '（已确认）' : ''),
      actor: '',
      critical: al.severity === 'critical',
    });
  return out.sort((x, y) => x.at.getTime() - y.at.getTime());
}

/** What confirming an event will start: the clocks of each triage outcome with their deadlines. */
export async function clockPreviews(db: Db, detectedAt: Date) {
  const policies = await db.selectFrom('clock_policies').select(['kind', 'config']).execute();
  const window = new Map(
    policies.map((p) => [p.kind, (p.config as { window?: { unit: string; amount: number } }).window]),
  );
  const plan = (kinds: string[]) =>
    kinds.map((kind) => {
      const w = window.get(kind);
      return {
        kind,
        label: clockKindLabel(kind),
        window: w ? `${w.amount} ${w.unit === 'hours' ? '小时' : '个工作日'}` : '',
        dueAt: w?.unit === 'hours' ? new Date(detectedAt.getTime() + w.amount * 3_600_000) : null,
      };
    });
  return { major: plan(['initial_release', 'press_conference']), normal: plan(['response']) };
}
