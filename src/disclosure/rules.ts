import {
  addWorkingDays,
  nthWorkingDayAfter,
  workingDaysBetween,
  type WorkCalendar,
} from '../calendar/workdays.js';
import { shanghaiDate } from '../shared/time.js';
import {
  APPLICANT_TYPES,
  CHANNELS,
  type ApplicantType,
  type Channel,
  type ChallengeResult,
  type RequestStatus,
} from './tables.js';

/** Pure rules of 依申请公开 (《政府信息公开条例》2019, 国办公开办函〔2021〕30号). No I/O. */

export const CHANNEL_LABELS: Record<Channel, string> = {
  in_person: '当面',
  online: '网上',
  letter: '信函',
  fax: '传真',
  email: '电子邮件',
  other: '其他',
};

export const APPLICANT_TYPE_LABELS: Record<ApplicantType, string> = {
  natural_person: '自然人',
  business: '商业企业',
  research: '科研机构',
  public_interest: '社会公益组织',
  legal_service: '法律服务机构',
  other_org: '其他',
};

export const STATUS_LABELS: Record<RequestStatus, string> = {
  processing: '办理中',
  correction: '待补正',
  consultation: '征求意见中',
  closed: '已办结',
};

export const CHALLENGE_KIND_LABELS = { review: '行政复议', suit: '行政诉讼' } as const;
export const CHALLENGE_RESULT_LABELS: Record<ChallengeResult, string> = {
  upheld: '维持',
  corrected: '纠正',
  other: '其他',
  pending: '尚未审结',
};

/** Accepts a code or the register's own Chinese word. */
function byCodeOrLabel<T extends string>(codes: readonly T[], labels: Record<T, string>) {
  return (v: unknown): T | undefined => {
    if (typeof v !== 'string') return undefined;
    const s = v.trim();
    if ((codes as readonly string[]).includes(s)) return s as T;
    return codes.find((c) => labels[c] === s);
  };
}
export const channelOf = byCodeOrLabel(CHANNELS, CHANNEL_LABELS);
export const applicantTypeOf = byCodeOrLabel(APPLICANT_TYPES, APPLICANT_TYPE_LABELS);

export interface Outcome {
  code: string;
  groupCode: 'disclose' | 'partial' | 'withhold' | 'unable' | 'reject' | 'other';
  group: string;
  label: string;
  /** The row's full wording in the national format, where it is longer than `label`. */
  formLabel: string;
  /** The articles the reply letter cites. */
  basis: string;
}

export const GROUP_LABELS: Record<Outcome['groupCode'], string> = {
  disclose: '予以公开',
  partial: '部分公开',
  withhold: '不予公开',
  unable: '无法提供',
  reject: '不予处理',
  other: '其他处理',
};

const T = '《中华人民共和国政府信息公开条例》';

/** Table 三's result rows, in the order of the national format. Codes are stable (README). */
export const OUTCOMES: Outcome[] = [
  o('disclose', 'disclose', '予以公开', '予以公开', `${T}第三十六条第（一）项、第（二）项`),
  o(
    'partial',
    'partial',
    '部分公开',
    '部分公开（区分处理的，只计这一情形，不计其他情形）',
    `${T}第三十七条`,
    '部分公开',
  ),
  o(
    'withhold_state_secret',
    'withhold',
    '属于国家秘密',
    '1.属于国家秘密',
    `${T}第十四条、第三十六条第（三）项`,
  ),
  o(
    'withhold_prohibited',
    'withhold',
    '其他法律行政法规禁止公开',
    '2.其他法律行政法规禁止公开',
    `${T}第十四条、第三十六条第（三）项`,
  ),
  o(
    'withhold_security',
    'withhold',
    '危及"三安全一稳定"',
    '3.危及“三安全一稳定”',
    `${T}第十四条、第三十六条第（三）项`,
  ),
  o(
    'withhold_third_party',
    'withhold',
    '保护第三方合法权益',
    '4.保护第三方合法权益',
    `${T}第十五条、第三十二条、第三十六条第（三）项`,
  ),
  o(
    'withhold_internal',
    'withhold',
    '属于三类内部事务信息',
    '5.属于三类内部事务信息',
    `${T}第十六条第一款、第三十六条第（三）项`,
  ),
  o(
    'withhold_process',
    'withhold',
    '属于四类过程性信息',
    '6.属于四类过程性信息',
    `${T}第十六条第二款、第三十六条第（三）项`,
  ),
  o(
    'withhold_enforcement',
    'withhold',
    '属于行政执法案卷',
    '7.属于行政执法案卷',
    `${T}第十六条第二款、第三十六条第（三）项`,
  ),
  o('withhold_inquiry', 'withhold', '属于行政查询事项', '8.属于行政查询事项', `${T}第三十六条第（七）项`),
  o(
    'unable_not_held',
    'unable',
    '本机关不掌握相关政府信息',
    '1.本机关不掌握相关政府信息',
    `${T}第三十六条第（四）项、第（五）项`,
  ),
  o(
    'unable_must_create',
    'unable',
    '没有现成信息需要另行制作',
    '2.没有现成信息需要另行制作',
    `${T}第三十八条`,
  ),
  o('unable_unclear', 'unable', '补正后申请内容仍不明确', '3.补正后申请内容仍不明确', `${T}第三十条`),
  o('reject_petition', 'reject', '信访举报投诉类申请', '1.信访举报投诉类申请', `${T}第三十九条第一款`),
  o('reject_repeat', 'reject', '重复申请', '2.重复申请', `${T}第三十六条第（六）项`),
  o('reject_publication', 'reject', '要求提供公开出版物', '3.要求提供公开出版物', `${T}第三十九条第二款`),
  o('reject_excessive', 'reject', '无正当理由大量反复申请', '4.无正当理由大量反复申请', `${T}第三十五条`),
  o(
    'reject_confirm',
    'reject',
    '要求行政机关确认或重新出具已获取信息',
    '5.要求行政机关确认或重新出具已获取信息',
    `${T}第三十八条`,
  ),
  o(
    'other_no_correction',
    'other',
    '逾期不补正',
    '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请',
    `${T}第三十条`,
  ),
  o(
    'other_no_fee',
    'other',
    '逾期未缴纳信息处理费',
    '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请',
    `${T}第四十二条`,
  ),
  o('other', 'other', '其他', '3.其他', `${T}第三十六条`),
];

function o(
  code: string,
  groupCode: Outcome['groupCode'],
  label: string,
  formLabel: string,
  basis: string,
  group?: string,
): Outcome {
  return { code, groupCode, group: group ?? GROUP_LABELS[groupCode], label, formLabel, basis };
}

const BY_CODE = new Map(OUTCOMES.map((x) => [x.code, x]));

/** An outcome by code, by its label, or as "group：label" / "group-label" (其他处理：其他). */
export function outcomeOf(v: unknown): Outcome | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/[“”]/g, '"');
  const direct = BY_CODE.get(s);
  if (direct) return direct;
  const m = /^(.+?)[：:\-/（(](.+?)[）)]?$/.exec(s);
  if (m) {
    const found = OUTCOMES.find((x) => x.group === m[1] && x.label === m[2]);
    if (found) return found;
  }
  const byLabel = OUTCOMES.filter((x) => x.label === s);
  // 其他 alone names the row 其他处理 3 (a group label is never an answer by itself otherwise).
  return byLabel.length === 1 ? byLabel[0] : undefined;
}

export function outcomeByCode(code: string): Outcome | undefined {
  return BY_CODE.get(code);
}

// ---------------------------------------------------------------------------------------------
// Time limits (条例 Art. 30–33). Every "N working days" counts from the day after (开始的当日不计入)
// and ends 24:00 Asia/Shanghai of the N-th working day.

/** Art. 30: the correction notice goes out within 7 working days of receipt. */
export const CORRECTION_NOTICE_DAYS = 7;
/** Art. 32: the third party answers within 15 working days. */
export const THIRD_PARTY_DAYS = 15;
/** Art. 33: one extension of at most 20 working days. */
export const MAX_EXTENSION_DAYS = 20;
/** The applicant's time to correct when the notice states no date (a common practice: 15 working days). */
export const DEFAULT_CORRECTION_DAYS = 15;

export interface PeriodInput {
  /** Receipt of the request, or of the corrected request (the period starts again from it). */
  startAt: Date;
  /** The configured period: 20 working days (Art. 33) or 15 (seeds 002/004). */
  periodDays: number;
  /** Working days the clock stood paused for consultations (not counted). */
  pausedWorkingDays?: number;
  /** Working days of a granted extension. */
  extensionDays?: number;
}

/** When the reply is due. */
export function replyDueAt(cal: WorkCalendar, p: PeriodInput): Date {
  return addWorkingDays(cal, p.startAt, p.periodDays + (p.pausedWorkingDays ?? 0) + (p.extensionDays ?? 0));
}

/** Working days a consultation from `startedAt` to `endedAt` is not counted: those in (start, end]. */
export function consultationPauseDays(cal: WorkCalendar, startedAt: Date, endedAt: Date): number {
  return workingDaysBetween(cal, shanghaiDate(startedAt), shanghaiDate(endedAt));
}

/** The last day (inclusive) a correction notice may go out. */
export function correctionNoticeLastDay(cal: WorkCalendar, receivedAt: Date): string {
  return nthWorkingDayAfter(cal, receivedAt, CORRECTION_NOTICE_DAYS);
}

/** The default date the applicant must correct by. */
export function defaultCorrectionDueOn(cal: WorkCalendar, requestedAt: Date): string {
  return nthWorkingDayAfter(cal, requestedAt, DEFAULT_CORRECTION_DAYS);
}

/** The last day of the third party's 15 working days from the consultation letter. */
export function thirdPartyLastDay(cal: WorkCalendar, startedAt: Date): string {
  return nthWorkingDayAfter(cal, startedAt, THIRD_PARTY_DAYS);
}

/** Whether a request waiting for correction is abandoned (视为放弃) on `today` (Shanghai date). */
export function isAbandoned(correctionDueOn: string, today: string): boolean {
  return today > correctionDueOn;
}

// ---------------------------------------------------------------------------------------------
// Which step is allowed in which state: everything else is a 409 naming the step.

export type StepName =
  'correction' | 'corrected' | 'consultation' | 'consultation_end' | 'extension' | 'reply';

export const STEP_LABELS: Record<StepName, string> = {
  correction: '补正告知',
  corrected: '收到补正',
  consultation: '征求第三方意见',
  consultation_end: '征求意见结束',
  extension: '延期答复',
  reply: '答复',
};

const ALLOWED: Record<StepName, RequestStatus[]> = {
  correction: ['processing'],
  corrected: ['correction'],
  consultation: ['processing'],
  consultation_end: ['consultation'],
  extension: ['processing'],
  reply: ['processing'],
};

export interface RequestState {
  status: RequestStatus;
  correctionRequested: boolean;
  extended: boolean;
}

/** Null when the step may be taken, else why not (the caller answers 409). */
export function stepRefusal(step: StepName, s: RequestState): string | null {
  if (!ALLOWED[step].includes(s.status))
    return `当前状态（${STATUS_LABELS[s.status]}）不能办理“${STEP_LABELS[step]}”`;
  if (step === 'correction' && s.correctionRequested) return '补正告知只能一次性作出（条例第三十条）';
  if (step === 'extension' && s.extended) return '答复期限只能延长一次（条例第三十三条）';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Annual report, table 三 and table 四.

export interface RequestFacts {
  applicantType: ApplicantType;
  /** Shanghai dates. */
  receivedOn: string;
  closedOn: string | null;
  outcome: string | null;
}

export const TABLE3_COLUMNS = [...APPLICANT_TYPES, 'total'] as const;
export type Table3Column = (typeof TABLE3_COLUMNS)[number];
export type Table3Counts = Record<Table3Column, number>;

export interface Table3Row {
  key: string;
  label: string;
  counts: Table3Counts;
}

const zero = (): Table3Counts =>
  Object.fromEntries(TABLE3_COLUMNS.map((c) => [c, 0])) as unknown as Table3Counts;

export interface Table3 {
  newlyReceived: Table3Counts;
  carriedOver: Table3Counts;
  outcomes: Table3Row[];
  groups: Table3Row[];
  resultsTotal: Table3Counts;
  carriedForward: Table3Counts;
  balanced: boolean;
  /** Columns where 一 + 二 ≠ 三 + 四 (data entered inconsistently). */
  unbalancedColumns: Table3Column[];
}

/**
 * Table 三 for a year: 一 本年新收, 二 上年结转 (open on 1 January), 三 办理结果 (closed this year,
 * by outcome), 四 结转下年度 (still open on 31 December); check 一 + 二 = 三（七）+ 四 per column.
 */
export function table3(requests: RequestFacts[], year: number): Table3 {
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  const newlyReceived = zero();
  const carriedOver = zero();
  const carriedForward = zero();
  const resultsTotal = zero();
  const byOutcome = new Map(OUTCOMES.map((x) => [x.code, zero()]));
  const add = (c: Table3Counts, t: ApplicantType) => {
    c[t]++;
    c.total++;
  };
  for (const r of requests) {
    if (r.receivedOn > last) continue;
    if (r.receivedOn >= first) add(newlyReceived, r.applicantType);
    else if (r.closedOn === null || r.closedOn >= first) add(carriedOver, r.applicantType);
    if (r.closedOn !== null && r.closedOn >= first && r.closedOn <= last) {
      const row = byOutcome.get(r.outcome ?? '') ?? byOutcome.get('other')!;
      add(row, r.applicantType);
      add(resultsTotal, r.applicantType);
    } else if (r.closedOn === null || r.closedOn > last) {
      if (r.receivedOn <= last) add(carriedForward, r.applicantType);
    }
  }
  const outcomes = OUTCOMES.map((x) => ({ key: x.code, label: x.formLabel, counts: byOutcome.get(x.code)! }));
  const groups = (Object.keys(GROUP_LABELS) as Outcome['groupCode'][]).map((g) => {
    const counts = zero();
    for (const x of OUTCOMES.filter((y) => y.groupCode === g))
      for (const c of TABLE3_COLUMNS) counts[c] += byOutcome.get(x.code)![c];
    return { key: g, label: GROUP_LABELS[g], counts };
  });
  const unbalancedColumns = TABLE3_COLUMNS.filter(
    (c) => newlyReceived[c] + carriedOver[c] !== resultsTotal[c] + carriedForward[c],
  );
  return {
    newlyReceived,
    carriedOver,
    outcomes,
    groups,
    resultsTotal,
    carriedForward,
    balanced: unbalancedColumns.length === 0,
    unbalancedColumns,
  };
}

export interface ChallengeFacts {
  kind: 'review' | 'suit';
  afterReview: boolean;
  filedOn: string;
  result: ChallengeResult;
  decidedOn: string | null;
}

export type ResultCounts = Record<ChallengeResult | 'total', number>;
export interface Table4 {
  review: ResultCounts;
  suitDirect: ResultCounts;
  suitAfterReview: ResultCounts;
}

/**
 * Table 四: 行政复议 and 行政诉讼 (未经复议直接起诉 / 复议后起诉) filed this year, by result; a case
 * decided only after 31 December counts as 尚未审结.
 */
export function table4(challenges: ChallengeFacts[], year: number): Table4 {
  const z = (): ResultCounts => ({ upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 });
  const out: Table4 = { review: z(), suitDirect: z(), suitAfterReview: z() };
  for (const c of challenges) {
    if (!c.filedOn.startsWith(`${year}-`)) continue;
    const bucket = c.kind === 'review' ? out.review : c.afterReview ? out.suitAfterReview : out.suitDirect;
    const decided = c.result !== 'pending' && c.decidedOn !== null && c.decidedOn <= `${year}-12-31`;
    bucket[decided ? c.result : 'pending']++;
    bucket.total++;
  }
  return out;
}

/** Normalises a contact (phone, e-mail) for the status lookup: case, spaces and dashes don't matter. */
export function contactKey(contact: string): string {
  return contact
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\-()（）]/g, '');
}
