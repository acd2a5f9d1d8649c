import { statutoryHolidays } from './statutory.js';
import type { DayException, WorkCalendar } from './workdays.js';

export interface CalendarSources {
  /** Official schedules per year (from the packaged data set or an admin import). */
  official: ReadonlyMap<string, DayException>;
  /** Single-day admin overrides; they win over everything. */
  overrides: ReadonlyMap<string, DayException>;
  /** Years that carry an official schedule. */
  certainYears: ReadonlySet<number>;
  /** The years the caller needs; those without a schedule get provisional statutory holidays. */
  years: Iterable<number>;
}

/** Merges the layers: statutory (provisional years only) < official < override. */
export function buildCalendar(src: CalendarSources): WorkCalendar {
  const exceptions = new Map<string, DayException>();
  for (const y of src.years)
    if (!src.certainYears.has(y)) for (const [d, ex] of statutoryHolidays(y)) exceptions.set(d, ex);
  for (const [d, ex] of src.official) exceptions.set(d, ex);
  for (const [d, ex] of src.overrides) exceptions.set(d, ex);
  return { exceptions, certainYears: new Set(src.certainYears) };
}
