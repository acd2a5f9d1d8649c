import type { Selectable } from 'kysely';
import { clockKindLabel, clockStateLabel } from '../clocks/states.js';
import { toIsoShanghai } from '../shared/time.js';
import { DECISIONS, type AccountabilityRecordsTable, type Decision } from './tables.js';

export const DECISION_LABELS: Record<Decision, string> = {
  criticism: '通报批评',
  interview: '约谈整改',
  explanation: '责令说明情况',
  other: '其他',
};

/** A decision given by its Chinese label (SPEC §4) or its code; undefined when neither. */
export function decisionCode(v: string): Decision | undefined {
  const s = v.trim();
  if ((DECISIONS as readonly string[]).includes(s)) return s as Decision;
  return DECISIONS.find((d) => DECISION_LABELS[d] === s);
}

/** Only a clock that missed its deadline can be the ground of a decision. */
export const ACCOUNTABLE_STATES = ['breached', 'met_late'] as const;

export type RecordRow = Selectable<AccountabilityRecordsTable> & {
  department_name: string | null;
  recorder_name: string | null;
  clock_kind: string;
  clock_title: string;
  clock_state: string;
  clock_subject_kind: string;
  clock_subject_id: number;
  clock_start_at: Date;
  clock_due_at: Date;
  clock_met_at: Date | null;
  clock_breached_at: Date | null;
  clock_lateness_seconds: number | null;
};

export function recordJson(r: RecordRow) {
  return {
    id: r.id,
    clockId: r.clock_id,
    clock: {
      id: r.clock_id,
      kind: r.clock_kind,
      kindLabel: clockKindLabel(r.clock_kind),
      title: r.clock_title,
      subject: { kind: r.clock_subject_kind, id: r.clock_subject_id },
      state: r.clock_state,
      stateLabel: clockStateLabel(r.clock_state),
      startAt: toIsoShanghai(r.clock_start_at),
      dueAt: toIsoShanghai(r.clock_due_at),
      metAt: toIsoShanghai(r.clock_met_at),
      breachedAt: toIsoShanghai(r.clock_breached_at),
      latenessSeconds: r.clock_lateness_seconds,
    },
    departmentId: r.department_id,
    departmentName: r.department_name,
    decision: r.decision,
    decisionLabel: DECISION_LABELS[r.decision],
    note: r.note,
    attachment: r.attachment_sha256
      ? {
          name: r.attachment_name,
          mime: r.attachment_mime,
          size: r.attachment_size,
          url: `/accountability/${r.id}/attachment`,
        }
      : null,
    decidedAt: toIsoShanghai(r.decided_at),
    recordedBy: r.recorded_by === null ? null : { id: r.recorded_by, displayName: r.recorder_name },
  };
}
export type RecordJson = ReturnType<typeof recordJson>;
