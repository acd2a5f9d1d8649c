import {
  addHours,
  addWorkingDays,
  isCertainBetween,
  nthWorkingDayAfter,
  startOfShanghaiDay,
  type WorkCalendar,
} from '../calendar/workdays.js';
import type { ClockPolicy } from './time-limits.js';

/** Pure deadline and threshold rules of a clock. No I/O: tests call these directly. */

export interface Deadline {
  dueAt: Date;
  /** false when any working day counted lies in a year without an official schedule. */
  calendarCertain: boolean;
}

export interface DeadlineInput {
  startAt: Date;
  /** Time the clock stood paused (hours windows) — not counted. */
  pausedSeconds?: number;
  /** Working days the clock stood paused, plus an extension if granted (working-day windows). */
  extraWorkingDays?: number;
  extraHours?: number;
}

export function computeDeadline(policy: ClockPolicy, cal: WorkCalendar, input: DeadlineInput): Deadline {
  const w = policy.window;
  if (w.unit === 'hours') {
    const dueAt = addHours(
      new Date(input.startAt.getTime() + (input.pausedSeconds ?? 0) * 1000),
      w.amount + (input.extraHours ?? 0),
    );
    return { dueAt, calendarCertain: true };
  }
  const dueAt = addWorkingDays(cal, input.startAt, w.amount + (input.extraWorkingDays ?? 0));
  return { dueAt, calendarCertain: isCertainBetween(cal, input.startAt, dueAt) };
}

export type ThresholdGroup = 'warning' | 'breach' | 'escalation';

export interface Threshold {
  key: string;
  dueAt: Date;
}

export function thresholdGroup(key: string): ThresholdGroup {
  if (key === 'breach') return 'breach';
  return key.startsWith('esc:') ? 'escalation' : 'warning';
}

/** Escalation level (1-based index into the policy's chain) of an `esc:N` key. */
export function escalationLevel(key: string): number {
  return Number(key.slice(4));
}

/** Every threshold of a clock: warning points, the breach at due, the escalation steps after it. */
export function thresholdsFor(
  policy: ClockPolicy,
  cal: WorkCalendar,
  startAt: Date,
  dueAt: Date,
  workingDays?: number,
): Threshold[] {
  const span = dueAt.getTime() - startAt.getTime();
  const out: Threshold[] = [];
  for (const f of [...policy.warnings].sort((a, b) => a - b))
    out.push({ key: `warn:${Math.round(f * 100)}`, dueAt: new Date(startAt.getTime() + span * f) });
  if (policy.warnLastWorkingDay && policy.window.unit === 'working_days') {
    const n = workingDays ?? policy.window.amount;
    const lastDay = startOfShanghaiDay(nthWorkingDayAfter(cal, startAt, n));
    if (lastDay > startAt && lastDay < dueAt) out.push({ key: 'warn:lastday', dueAt: lastDay });
  }
  out.push({ key: 'breach', dueAt });
  policy.escalation.forEach((step, i) =>
    out.push({ key: `esc:${i + 1}`, dueAt: new Date(dueAt.getTime() + step.afterMinutes * 60_000) }),
  );
  return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * The warning points of `thresholdsFor`, from what a clock row holds (its policy snapshot, start and
 * due), so pages can show them without the calendar: a working-day deadline is 24:00 of its last
 * working day, so that day began exactly 24 h (Shanghai has no DST) before the deadline.
 */
export function warningTimes(
  policy: Pick<ClockPolicy, 'warnings' | 'warnLastWorkingDay' | 'window'>,
  startAt: Date,
  dueAt: Date,
): Date[] {
  const span = dueAt.getTime() - startAt.getTime();
  const out = policy.warnings.map((f) => new Date(startAt.getTime() + span * f));
  if (policy.warnLastWorkingDay && policy.window.unit === 'working_days') {
    const lastDay = new Date(dueAt.getTime() - 86_400_000);
    if (lastDay > startAt) out.push(lastDay);
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}

export type ThresholdDecision = 'wait' | 'fire' | 'skip';

export interface ClockStateView {
  state: 'running' | 'met' | 'met_late' | 'breached' | 'cancelled';
  pausedAt: Date | null;
}

/**
 * Whether a due threshold fires now. A warning or escalation step overtaken by a later one of
 * its kind that is also due (a clock recorded late, a node that was down) is skipped, so a late
 * clock raises one breach and not a burst of stale warnings; the breach itself is never skipped.
 */
export function decideThreshold(
  clock: ClockStateView,
  threshold: Threshold,
  all: readonly Threshold[],
  now: Date,
): ThresholdDecision {
  if (threshold.dueAt > now) return 'wait';
  if (clock.pausedAt) return 'wait';
  const group = thresholdGroup(threshold.key);
  if (group === 'escalation') {
    if (clock.state !== 'breached') return 'skip';
  } else if (clock.state !== 'running') {
    return 'skip';
  }
  if (group === 'breach') return 'fire';
  const overtaken = all.some(
    (t) =>
      t.key !== threshold.key &&
      t.dueAt > threshold.dueAt &&
      t.dueAt <= now &&
      (thresholdGroup(t.key) === group || (group === 'warning' && t.key === 'breach')),
  );
  return overtaken ? 'skip' : 'fire';
}

/** met or met_late, with lateness in whole seconds. */
export function completion(dueAt: Date, metAt: Date): { state: 'met' | 'met_late'; latenessSeconds: number } {
  const late = Math.max(0, Math.round((metAt.getTime() - dueAt.getTime()) / 1000));
  return late > 0 ? { state: 'met_late', latenessSeconds: late } : { state: 'met', latenessSeconds: 0 };
}
