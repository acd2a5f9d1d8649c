import chineseDays from 'chinese-days';
import { DateTime } from 'luxon';
import type { DayException } from './workdays.js';

// The package is CommonJS: named imports do not survive Node's ESM loader.
const { getSolarDateFromLunar, getSolarTerms } = chineseDays;

/**
 * Holidays every year has by law (《全国年节及纪念日放假办法》, 2024 revision), used for a year whose
 * official schedule (with its 调休 swaps) is not published yet. Weekend swaps cannot be predicted,
 * so such a year is provisional: `certain:false`.
 */
export function statutoryHolidays(year: number): Map<string, DayException> {
  const days = new Map<string, DayException>();
  const add = (iso: string, name: string) => days.set(iso, { work: false, name });
  const plus = (iso: string, n: number) => DateTime.fromISO(iso).plus({ days: n }).toISODate()!;
  const pad = (n: number) => String(n).padStart(2, '0');

  add(`${year}-01-01`, '元旦');
  // 春节: 除夕 (the day before 正月初一) through 初三.
  const newYear = getSolarDateFromLunar(`${year}-01-01`).date;
  for (let i = -1; i <= 2; i++) add(plus(newYear, i), '春节');
  const qingming = getSolarTerms(`${year}-04-01`, `${year}-04-10`).find((t) => t.term === 'pure_brightness');
  add(qingming?.date ?? `${year}-04-05`, '清明节');
  add(`${year}-05-01`, '劳动节');
  add(`${year}-05-02`, '劳动节');
  add(getSolarDateFromLunar(`${year}-05-05`).date, '端午节');
  add(getSolarDateFromLunar(`${year}-08-15`).date, '中秋节');
  for (let d = 1; d <= 3; d++) add(`${year}-10-${pad(d)}`, '国庆节');
  return days;
}
