import { createRequire } from 'node:module';
import type { DayException } from './workdays.js';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const require = createRequire(import.meta.url);

let cache: ChineseDaysData | null = null;
function data(): ChineseDaysData {
  cache ??= require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  return cache;
}

/** "Spring Festival,春节,4" → "春节" */
function chineseName(entry: string): string {
  return entry.split(',')[1]?.trim() || entry;
}

/**
 * The official schedule for a year as published by the State Council and packaged by the
 * maintained `chinese-days` data set; null when the package does not know that year yet.
 */
export function packagedSchedule(year: number): Map<string, DayException> | null {
  const prefix = `${year}-`;
  const days = new Map<string, DayException>();
  for (const [date, entry] of Object.entries(data().holidays))
    if (date.startsWith(prefix)) days.set(date, { work: false, name: chineseName(entry) });
  for (const [date, entry] of Object.entries(data().workdays))
    if (date.startsWith(prefix)) days.set(date, { work: true, name: `${chineseName(entry)}调休上班` });
  return days.size > 0 ? days : null;
}

export function packagedYears(): number[] {
  const years = new Set<number>();
  for (const d of Object.keys(data().holidays)) years.add(Number(d.slice(0, 4)));
  return [...years].sort((a, b) => a - b);
}
