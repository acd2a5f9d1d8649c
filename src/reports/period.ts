import { DateTime } from 'luxon';
import type { Clock } from '../shared/clock.js';
import { HttpProblem } from '../shared/errors.js';
import { ZONE } from '../shared/time.js';

/** A reporting period of whole Asia/Shanghai days, `to` inclusive, with its UTC bounds. */
export interface Period {
  from: string;
  to: string;
  /** Start of `from`, 00:00 Asia/Shanghai. */
  fromAt: Date;
  /** End of `to`: 00:00 Asia/Shanghai of the next day (exclusive). */
  toAt: Date;
}

export function dayStart(date: string): Date {
  return DateTime.fromISO(date, { zone: ZONE }).toJSDate();
}

export function periodOf(from: string, to: string): Period {
  return {
    from,
    to,
    fromAt: dayStart(from),
    toAt: DateTime.fromISO(to, { zone: ZONE }).plus({ days: 1 }).toJSDate(),
  };
}

/**
 * The period a query asks for. Defaults: `to` today, `from` the first day of the month
 * `defaultMonths - 1` months before (the current month alone by default).
 */
export function resolvePeriod(
  clock: Clock,
  q: { from?: string | undefined; to?: string | undefined },
  defaultMonths = 1,
): Period {
  const today = DateTime.fromJSDate(clock.now(), { zone: ZONE });
  const to = q.to ?? today.toISODate()!;
  const from =
    q.from ??
    DateTime.fromISO(to, { zone: ZONE })
      .startOf('month')
      .minus({ months: defaultMonths - 1 })
      .toISODate()!;
  if (from > to)
    throw HttpProblem.badRequest('起止日期有误', [{ field: 'from', message: '开始日期不能晚于结束日期' }]);
  if (DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days > 3660)
    throw HttpProblem.badRequest('统计期间过长', [{ field: 'from', message: '统计期间不能超过 10 年' }]);
  return periodOf(from, to);
}

/** "2026-09-01 至 2026-11-30" or one day alone. */
export function periodLabel(p: { from: string; to: string }): string {
  return p.from === p.to ? p.from : `${p.from} 至 ${p.to}`;
}
