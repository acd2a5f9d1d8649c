/*
 * The clock vocabulary: kinds and states with their Chinese labels. Pure (no imports), so the
 * database schema, rules, services and pages can all share it.
 */

export const CLOCK_STATES = ['running', 'met', 'met_late', 'breached', 'cancelled'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

/** A clock still counts (running, or breached and still owed) until it is met or cancelled. */
export const OPEN_CLOCK_STATES = ['running', 'breached'] as const satisfies readonly ClockState[];
export type OpenClockState = (typeof OPEN_CLOCK_STATES)[number];
export const isOpen = (state: string): state is OpenClockState =>
  (OPEN_CLOCK_STATES as readonly string[]).includes(state);

export const CLOCK_STATE_LABELS: Record<ClockState, string> = {
  running: '计时中',
  met: '按时完成',
  met_late: '逾期完成',
  breached: '已超时',
  cancelled: '已取消',
};

/** The kinds of SPEC §2 with default time limits; admins may configure further kinds. */
export const CLOCK_KINDS = [
  'interpretation',
  'initial_release',
  'press_conference',
  'response',
  'disclosure_request',
] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

export const CLOCK_KIND_LABELS: Record<ClockKind, string> = {
  interpretation: '政策解读',
  initial_release: '首发权威信息',
  press_conference: '新闻发布会',
  response: '舆情回应',
  disclosure_request: '依申请公开答复',
};

/** The label of a kind; a configured kind without one shows its key (or `fallback`). */
export const clockKindLabel = (kind: string, fallback = kind): string =>
  CLOCK_KIND_LABELS[kind as ClockKind] ?? fallback;
export const clockStateLabel = (state: string): string => CLOCK_STATE_LABELS[state as ClockState] ?? state;
