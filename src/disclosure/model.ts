import type { Selectable } from 'kysely';
import { toIsoShanghai } from '../shared/time.js';
import { fileJson } from '../files/files.js';
import { clockStateLabel } from '../clocks/states.js';
import type { ClockRow } from '../clocks/model.js';
import type {
  DisclosureAttachmentsTable,
  DisclosureChallengesTable,
  DisclosureRequestsTable,
  DisclosureStepsTable,
  StepKind,
} from './tables.js';
import {
  APPLICANT_TYPE_LABELS,
  CHALLENGE_KIND_LABELS,
  CHALLENGE_RESULT_LABELS,
  CHANNEL_LABELS,
  STATUS_LABELS,
  outcomeByCode,
} from './rules.js';

export type RequestRow = Selectable<DisclosureRequestsTable>;
export type StepRow = Selectable<DisclosureStepsTable>;
export type ChallengeRow = Selectable<DisclosureChallengesTable>;
export type AttachmentRow = Selectable<DisclosureAttachmentsTable>;

export const SUBJECT_KIND = 'disclosure_request';
export const CLOCK_KIND = 'disclosure_request';

export const STEP_KIND_LABELS: Record<StepKind, string> = {
  received: '收到申请',
  correction: '补正告知',
  corrected: '收到补正',
  abandoned: '逾期未补正，视为放弃',
  consultation: '征求第三方意见（暂停计时）',
  consultation_end: '征求意见结束（恢复计时）',
  extension: '延期答复',
  reply: '答复',
  challenge: '行政复议 / 行政诉讼',
  challenge_result: '复议 / 诉讼结果',
  assigned: '指定答复部门',
  attachment_added: '添加附件',
  attachment_removed: '删除附件',
};

/** The clock as SPEC §4 shows it on a request: `{id, dueAt, state, pausedAt?}` plus details. */
export function requestClockJson(c: ClockRow | undefined) {
  if (!c) return null;
  return {
    id: c.id,
    dueAt: toIsoShanghai(c.due_at),
    state: c.state,
    ...(c.paused_at ? { pausedAt: toIsoShanghai(c.paused_at) } : {}),
    stateLabel: clockStateLabel(c.state),
    startAt: toIsoShanghai(c.start_at),
    pausedWorkingDays: c.paused_working_days,
    extended: c.extended,
    metAt: toIsoShanghai(c.met_at),
    latenessSeconds: c.lateness_seconds,
    calendarCertain: c.calendar_certain,
  };
}

export function stepJson(s: StepRow) {
  return {
    id: s.id,
    kind: s.kind,
    kindLabel: STEP_KIND_LABELS[s.kind],
    at: toIsoShanghai(s.at),
    data: s.data,
    actor: s.actor_label,
    recordedAt: toIsoShanghai(s.created_at),
  };
}

export function challengeJson(c: ChallengeRow) {
  return {
    id: c.id,
    kind: c.kind,
    kindLabel: CHALLENGE_KIND_LABELS[c.kind],
    afterReview: c.after_review,
    filedOn: c.filed_on,
    result: c.result,
    resultLabel: CHALLENGE_RESULT_LABELS[c.result],
    decidedOn: c.decided_on,
    note: c.note,
  };
}

export function requestSummaryJson(r: RequestRow, departmentName?: string | null) {
  const outcome = r.outcome ? outcomeByCode(r.outcome) : undefined;
  return {
    id: r.id,
    number: r.number,
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel],
    applicantType: r.applicant_type,
    applicantTypeLabel: APPLICANT_TYPE_LABELS[r.applicant_type],
    applicantName: r.applicant_name,
    contact: r.contact,
    address: r.address,
    content: r.content,
    purpose: r.purpose,
    receivedAt: toIsoShanghai(r.received_at),
    departmentId: r.department_id,
    departmentName: departmentName ?? null,
    status: r.status,
    statusLabel: STATUS_LABELS[r.status],
    source: r.source,
    outcome: outcome
      ? { code: outcome.code, group: outcome.group, label: outcome.label }
      : r.outcome
        ? { code: r.outcome, group: '', label: r.outcome }
        : null,
    repliedAt: toIsoShanghai(r.replied_at),
    closedAt: toIsoShanghai(r.closed_at),
  };
}

/** An attachment as the API shows it; `href` downloads it (the API path answers the same file). */
export function disclosureAttachmentJson(a: AttachmentRow) {
  return {
    ...fileJson(a),
    source: a.source,
    href: `/disclosure/requests/${a.request_id}/attachments/${a.id}`,
  };
}
