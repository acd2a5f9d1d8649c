import type { ActionKind, EventStatus, Severity } from './tables.js';
import { isOpen } from '../clocks/states.js';

/** Pure response rules of SPEC §2.3: which clocks an event needs, which action stops which clock. */

export const SEVERITY_LABELS: Record<Severity, string> = {
  general: '一般',
  large: '较大',
  major: '重大',
  extraordinary: '特别重大',
};

/** A closed or dismissed event is finished: no more triage, actions or clocks. */
export const FINISHED_EVENT_STATUSES = ['closed', 'dismissed'] as const satisfies readonly EventStatus[];
export const isFinished = (status: string): boolean =>
  (FINISHED_EVENT_STATUSES as readonly string[]).includes(status);

export const ACTION_LABELS: Record<ActionKind, string> = {
  initial_release: '首发权威信息',
  press_conference: '新闻发布会',
  response: '回应',
  follow_up: '后续发布',
  clarification: '辟谣',
};

export const STATUS_LABELS: Record<string, string> = {
  new: '待研判',
  confirmed: '已确认',
  responding: '回应中',
  closed: '已办结',
  dismissed: '已忽略',
};

/** 重大 and 特别重大 events: the 新闻办 and the 政务公开办 lead their response, whoever owns them. */
export const isMajor = (s: Severity): boolean => s === 'major' || s === 'extraordinary';

/** 特别重大、重大突发事件: 5 h authoritative release and 24 h press conference; otherwise 48 h. */
export function requiredClockKinds(t: { severity: Severity; emergency: boolean }): string[] {
  return t.emergency && (t.severity === 'major' || t.severity === 'extraordinary')
    ? ['initial_release', 'press_conference']
    : ['response'];
}

/**
 * The clocks an action satisfies. A press conference held releases authoritative information and
 * is a response; a 回应 or 辟谣 answers the public; a follow-up release stops nothing.
 */
export function clocksSatisfiedBy(kind: ActionKind): string[] {
  switch (kind) {
    case 'initial_release':
      return ['initial_release', 'response'];
    case 'press_conference':
      return ['press_conference', 'initial_release', 'response'];
    case 'response':
    case 'clarification':
      return ['response', 'initial_release'];
    case 'follow_up':
      return [];
  }
}

export interface TriagePlan {
  cancel: number[];
  open: string[];
}

/**
 * Re-triage: clocks that no longer apply are cancelled, missing ones are opened from the same
 * detection time; a kind already finished (met) is not reopened.
 */
export function planClocks(
  required: string[],
  existing: { id: number; kind: string; state: string }[],
): TriagePlan {
  const cancel = existing.filter((c) => isOpen(c.state) && !required.includes(c.kind)).map((c) => c.id);
  const have = new Set(existing.filter((c) => c.state !== 'cancelled').map((c) => c.kind));
  return { cancel, open: required.filter((k) => !have.has(k)) };
}

/** 谁主管谁负责: the 民生 area's competent bureau, found by the words its name usually carries. */
const AREA_OWNERS: Record<string, string[]> = {
  就学: ['教育'],
  就医: ['卫健', '卫生'],
  住房保障: ['住建', '住房'],
  安全生产: ['应急'],
  防灾减灾救灾: ['应急'],
  食品药品安全: ['市场监管', '食药'],
  养老服务: ['民政'],
  征收补偿: ['住建', '征收'],
  环境保护: ['生态环境', '环保'],
};

export interface DepartmentRef {
  id: number;
  name: string;
  kind: string;
}

/**
 * Default 责任单位: 属地管理 first (the 镇/街道 named in the event), then 谁主管谁负责 (the bureau of
 * the event's area); null when nothing is known, so a person decides.
 */
export function defaultResponsibleDepartment(
  text: string,
  categories: string[],
  departments: DepartmentRef[],
): number | null {
  const towns = departments.filter((d) => d.kind === 'town').sort((a, b) => b.name.length - a.name.length);
  for (const t of towns) {
    const short = t.name.replace(/^(.*?[区县市])?/, '');
    if (text.includes(t.name) || (short.length >= 2 && text.includes(short))) return t.id;
  }
  for (const c of categories)
    for (const word of AREA_OWNERS[c] ?? []) {
      const d = departments.find((x) => x.name.includes(word));
      if (d) return d.id;
    }
  return null;
}
