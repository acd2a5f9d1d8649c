import type { Selectable } from 'kysely';
import { toIsoShanghai } from '../shared/time.js';
import { fileJson } from '../files/files.js';
import type {
  AttachmentsTable,
  Disclosure,
  InterpretationForm,
  InterpretationsTable,
  PoliciesTable,
  PolicyEventKind,
  PolicyEventsTable,
  PolicyStatus,
} from './tables.js';

export type PolicyRow = Omit<Selectable<PoliciesTable>, 'search'>;
export type InterpretationRow = Selectable<InterpretationsTable>;
export type PolicyEventRow = Selectable<PolicyEventsTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;

export const STATUS_LABELS: Record<PolicyStatus, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已审核待发布',
  returned: '已退回',
  published: '已发布',
  withdrawn: '已撤回',
};

export const DISCLOSURE_LABELS: Record<Disclosure, string> = {
  proactive: '主动公开',
  on_request: '依申请公开',
  not_public: '不予公开',
};

/** Annual report table 二's kinds of document (第二十条第（一）项). */
export const NORMATIVE_LABELS: Record<'regulation' | 'normative', string> = {
  regulation: '规章',
  normative: '行政规范性文件',
};

export const FORM_LABELS: Record<InterpretationForm, string> = {
  text: '文字解读',
  graphic: '图解',
  audio: '音频',
  video: '视频',
  press_conference: '新闻发布会',
  interview: '访谈',
  expert: '专家解读',
  media: '媒体解读',
  qa: '问答',
};

export const EVENT_LABELS: Record<PolicyEventKind, string> = {
  create: '登记',
  update: '修改',
  submit: '报批',
  approve: '审核通过',
  return: '退回',
  publish: '发布',
  withdraw: '撤回',
  interpret: '发布解读',
  interpret_update: '修改解读',
  interpret_delete: '删除解读',
};

/** Channels offered in forms (free text is accepted too). */
export const CHANNELS = ['政府网站', '两微一端', '报刊', '电视', '广播', '新闻发布会现场', '其他'];

/** Interpretation clock states in the words of this domain (the engine's labels are generic). */
export const INTERPRETATION_STATE_LABELS: Record<string, string> = {
  running: '解读倒计时',
  met: '已按时解读',
  met_late: '逾期解读',
  breached: '已超期未解读',
  cancelled: '已取消',
};

/** Is the document visible on the public website (no login)? */
export function isPublic(p: Pick<PolicyRow, 'status' | 'disclosure'>): boolean {
  return p.status === 'published' && p.disclosure === 'proactive';
}

/** Splits stored text into paragraphs for pages; blank lines and line breaks both separate. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function attachmentJson(a: AttachmentRow) {
  return fileJson(a);
}

export function interpretationJson(i: InterpretationRow, attachments: AttachmentRow[] = []) {
  return {
    id: i.id,
    policyId: i.policy_id,
    form: i.form,
    formLabel: FORM_LABELS[i.form],
    title: i.title,
    channel: i.channel,
    url: i.url,
    body: i.body,
    interpreter: i.interpreter,
    interpreterIsPrincipal: i.interpreter_is_principal,
    publishedAt: toIsoShanghai(i.published_at),
    /** Set on the interpretation whose publication stopped the document's clock. */
    stoppedClockId: i.satisfied_clock_id,
    createdAt: toIsoShanghai(i.created_at),
    attachments: attachments.map(attachmentJson),
  };
}

export function policySummaryJson(
  p: PolicyRow & { department_name?: string; interpretations_count?: number | null },
) {
  return {
    id: p.id,
    title: p.title,
    docNumber: p.doc_number,
    issuer: p.issuer,
    draftingDepartmentId: p.drafting_department_id,
    draftingDepartmentName: p.department_name ?? null,
    writtenOn: p.written_on,
    status: p.status,
    statusLabel: STATUS_LABELS[p.status],
    disclosure: p.disclosure,
    disclosureLabel: DISCLOSURE_LABELS[p.disclosure],
    requiresInterpretation: p.requires_interpretation,
    keywords: p.keywords,
    publishedAt: toIsoShanghai(p.published_at),
    interpretationsCount: p.interpretations_count == null ? undefined : Number(p.interpretations_count),
    updatedAt: toIsoShanghai(p.updated_at),
  };
}

export function policyJson(p: PolicyRow & { department_name?: string }) {
  return {
    ...policySummaryJson(p),
    body: p.body,
    disclosureReason: p.disclosure_reason,
    interpretationPlan: p.interpretation_plan,
    returnComment: p.return_comment,
    source: p.source,
    submittedAt: toIsoShanghai(p.submitted_at),
    approvedAt: toIsoShanghai(p.approved_at),
    withdrawnAt: toIsoShanghai(p.withdrawn_at),
    /** 规章 / 行政规范性文件 and the 废止 date, for the 政府信息公开年度报告 (table 二). */
    normativeKind: p.normative_kind,
    repealedOn: p.repealed_on,
    createdAt: toIsoShanghai(p.created_at),
  };
}

export function policyEventJson(e: PolicyEventRow) {
  return {
    id: e.id,
    kind: e.kind,
    kindLabel: EVENT_LABELS[e.kind],
    comment: e.comment,
    actor: e.actor_label,
    at: toIsoShanghai(e.at),
  };
}
