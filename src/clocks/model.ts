import type { Selectable } from 'kysely';
import type { ClocksTable } from '../db/schema.js';
import { toIsoShanghai } from '../shared/time.js';
import { subjectHref } from '../web/links.js';
import { clockKindLabel, clockStateLabel } from './states.js';
import { warningTimes } from './rules.js';
import { clockPolicySchema } from './time-limits.js';

export type ClockRow = Selectable<ClocksTable>;

/**
 * When the clock's warnings fall due (ISO, +08:00), from its policy snapshot, not today's defaults:
 * countdowns turn amber at the first. A snapshot that no longer parses shows none rather than
 * failing the page.
 */
export function warnAtOf(c: Pick<ClockRow, 'policy' | 'start_at' | 'due_at'>): string[] {
  const policy = clockPolicySchema.safeParse(c.policy);
  if (!policy.success) return [];
  return warningTimes(policy.data, c.start_at, c.due_at).map((d) => toIsoShanghai(d)!);
}

/** The API shape of a clock (SPEC §4); times carry +08:00. */
export function clockJson(c: ClockRow) {
  return {
    id: c.id,
    kind: c.kind,
    kindLabel: clockKindLabel(c.kind),
    title: c.title,
    subject: { kind: c.subject_kind, id: c.subject_id },
    /** The page of the clock's event or document. */
    href: subjectHref(c.subject_kind, c.subject_id),
    departmentId: c.department_id,
    startAt: toIsoShanghai(c.start_at),
    dueAt: toIsoShanghai(c.due_at),
    /** The warning points; the first turns countdowns amber. */
    warnAt: warnAtOf(c),
    state: c.state,
    stateLabel: clockStateLabel(c.state),
    metAt: toIsoShanghai(c.met_at),
    latenessSeconds: c.lateness_seconds,
    breachedAt: toIsoShanghai(c.breached_at),
    paused: c.paused_at !== null,
    extended: c.extended,
    calendarCertain: c.calendar_certain,
    escalationLevel: c.escalation_level,
  };
}
export type ClockJson = ReturnType<typeof clockJson>;
