import { DateTime } from 'luxon';
import { ZONE, shanghaiDate } from '../shared/time.js';

/** A day that differs from the plain Mon–Fri week: a holiday, or a 调休 working weekend day. */
export interface DayException {
  work: boolean;
  name: string;
}

/**
 * The working-day calendar as plain data: exceptions by ISO date, and which years carry an
 * official schedule (the others hold provisional statutory holidays only).
 */
export interface WorkCalendar {
  exceptions: ReadonlyMap<string, DayException>;
  certainYears: ReadonlySet<number>;
}

export function isWorkday(cal: WorkCalendar, isoDate: string): boolean {
  const ex = cal.exceptions.get(isoDate);
  if (ex) return ex.work;
  const weekday = DateTime.fromISO(isoDate, { zone: ZONE }).weekday;
  return weekday <= 5;
}

function nextDate(isoDate: string, days = 1): string {
  return DateTime.fromISO(isoDate, { zone: ZONE }).plus({ days }).toISODate()!;
}

/** 00:00 Asia/Shanghai at the start of a date, as an instant. */
export function startOfShanghaiDay(isoDate: string): Date {
  return DateTime.fromISO(isoDate, { zone: ZONE }).startOf('day').toJSDate();
}

/** The n-th working day strictly after the date of `start` (开始的当日不计入). */
export function nthWorkingDayAfter(cal: WorkCalendar, start: Date, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('working days must be a positive integer');
  let date = shanghaiDate(start);
  let counted = 0;
  // A working day appears at least every few weeks even in the longest holiday season.
  for (let guard = 0; guard < n * 30 + 60; guard++) {
    date = nextDate(date);
    if (isWorkday(cal, date) && ++counted === n) return date;
  }
  throw new RangeError('calendar has no working days in range');
}

/** "N working days after": 24:00 Asia/Shanghai at the end of the N-th working day. */
export function addWorkingDays(cal: WorkCalendar, start: Date, n: number): Date {
  return startOfShanghaiDay(nextDate(nthWorkingDayAfter(cal, start, n)));
}

/** "N natural hours after". */
export function addHours(start: Date, hours: number): Date {
  if (!(hours > 0)) throw new RangeError('hours must be positive');
  return new Date(start.getTime() + Math.round(hours * 3_600_000));
}

/** Whether every year the interval touches has an official schedule. */
export function isCertainBetween(cal: WorkCalendar, from: Date, to: Date): boolean {
  const y0 = Number(shanghaiDate(from).slice(0, 4));
  const y1 = Number(shanghaiDate(to).slice(0, 4));
  for (let y = y0; y <= y1; y++) if (!cal.certainYears.has(y)) return false;
  return true;
}

/** Working days in (fromDate, toDate], both Shanghai dates: used to extend a paused clock. */
export function workingDaysBetween(cal: WorkCalendar, fromDate: string, toDate: string): number {
  let n = 0;
  for (let d = nextDate(fromDate); d <= toDate; d = nextDate(d)) if (isWorkday(cal, d)) n++;
  return n;
}

export { nextDate as addCalendarDays };
