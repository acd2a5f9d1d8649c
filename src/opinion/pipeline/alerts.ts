import { DEFAULT_RENOTIFY_MINUTES, type NewAlert } from '../../alerts/model.js';
import { RULE_LABELS, evaluateWarnings, type RuleName, type WarningRules } from '../analysis/rules.js';
import { snapshotOf, type ClusterMeta, type DerivedEvent } from '../cluster-state.js';
import type { PublishedPolicy } from '../policy-link.js';
import type { Scheme } from '../settings.js';

/** An alert a batch raises, and the key recorded in its cluster so it is raised only once. */
export interface RaisedAlert {
  cluster: ClusterMeta;
  firedKey: string;
  alert: NewAlert;
}

export interface AlertContext {
  now: number;
  rules: WarningRules;
  schemes: readonly Scheme[];
  /** Takes the alerts no 监测方案 duty group takes (departments.kind = 'opinion_center'). */
  opinionCenterId: number | null;
  derive: (m: ClusterMeta) => DerivedEvent;
  policyById: (id: number) => PublishedPolicy | undefined;
}

/** A matching 监测方案 with a duty group takes the event's alerts (the scheme most items matched). */
export function routeDepartment(m: ClusterMeta, schemes: readonly Scheme[]): number | null {
  const counts = Object.entries(m.stats.schemes).sort((a, b) => b[1] - a[1]);
  for (const [id] of counts) {
    const s = schemes.find((x) => x.id === Number(id));
    if (s?.dutyDepartmentId) return s.dutyDepartmentId;
  }
  return null;
}

/**
 * The alerts a batch raises for its events (clusters promoted to events, dismissed ones left
 * out by the caller): each early-warning rule newly met, and each linked policy once, to the
 * department that drafted it. Nothing is changed: the caller records `firedKey`s.
 */
export function alertsForBatch(events: readonly ClusterMeta[], ctx: AlertContext): RaisedAlert[] {
  const out: RaisedAlert[] = [];
  for (const m of events) {
    if (m.eventId === null) continue;
    const eventId = m.eventId;
    const warnings = evaluateWarnings(snapshotOf(m, ctx.now, ctx.rules), ctx.rules).filter(
      (w) => !m.stats.fired.includes(w.rule),
    );
    if (!warnings.length && !m.stats.policyIds.length) continue;
    const d = ctx.derive(m);
    const department = warnings.length ? (routeDepartment(m, ctx.schemes) ?? ctx.opinionCenterId) : null;
    for (const w of warnings) {
      const ruleLabel = RULE_LABELS[w.rule as RuleName];
      out.push({
        cluster: m,
        firedKey: w.rule,
        alert: {
          type: 'event.detected',
          severity: w.severity,
          title: `舆情预警（${ruleLabel}）：${d.title}`,
          body: w.reasons.join('；'),
          subjectKind: 'event',
          subjectId: eventId,
          departmentId: department,
          dedupeKey: `event.detected:${eventId}:${w.rule}`,
          data: {
            eventId,
            rule: w.rule,
            ruleLabel,
            reasons: w.reasons,
            suggestedSeverity: d.suggested_severity,
            categories: d.categories,
            emergencySignal: d.emergency_signal,
            negativeRatio: d.analysis.negativeRatio,
            itemsCount: d.items_count,
          },
          renotifyAt:
            w.severity === 'critical' ? new Date(ctx.now + DEFAULT_RENOTIFY_MINUTES * 60_000) : null,
        },
      });
    }
    for (const policyId of m.stats.policyIds) {
      const key = `policy:${policyId}`;
      const p = ctx.policyById(policyId);
      if (m.stats.fired.includes(key) || !p) continue;
      out.push({
        cluster: m,
        firedKey: key,
        alert: {
          type: 'policy.opinion',
          severity: 'warning',
          title: `政策舆情：${d.title}`,
          body: `舆情事件涉及本部门起草的《${p.title}》，请关注并加强解读。`,
          subjectKind: 'event',
          subjectId: eventId,
          departmentId: p.departmentId,
          dedupeKey: `policy.opinion:${eventId}:${policyId}`,
          data: { eventId, policyId, policyTitle: p.title, keywords: d.keywords },
        },
      });
    }
  }
  return out;
}
